using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Finds every conditional branch of a function that reaches a trap, and ranks them against the live state.</summary>
internal static class TrapOriginFinder
{
    /// <summary>The category UBSan checks carry in their trap-message frames (clang ≥ 22) and in recovered origins.</summary>
    public const string UbsanCategory = "Undefined Behavior Sanitizer";

    public static List<TrapOrigin> Find(CodeView view, ulong trapAddress, ISymbolizer? symbols, ISourceText? sources,
        RegisterState? registers, IMemoryReader? memory, (string Category, string Message)? dwarfMessage, UbsanCheck? ubsan)
    {
        var origins = new List<(TrapOrigin Origin, bool Agree)>();
        for (var index = 0; index < view.Instructions.Count; index++)
        {
            var branch = view.Instructions[index];
            if (branch.FlowControl != FlowControl.ConditionalBranch || !CodeView.IsDirect(branch)) continue;
            var trapOnTaken = true;
            var path = view.PathTo(branch.NearBranchTarget, trapAddress);
            if (path is null)
            {
                path = view.PathTo(branch.NextIP, trapAddress);
                trapOnTaken = false;
            }
            if (path is null) continue;

            var origin = new TrapOrigin
            {
                BranchAddress = branch.IP,
                BranchInstruction = Disassembly.Format(branch),
                TrapOnTaken = trapOnTaken,
            };
            var symbolized = symbols?.Symbolize(branch.IP);
            if (symbolized is not null)
            {
                var chain = symbolized.InlineChain.Select(f => f.Name).ToList();
                origin = origin with
                {
                    Location = symbolized.Line,
                    InlineChain = chain,
                    InlinedFrom = chain.Count > 1 ? chain[0] : null,
                };
            }
            origin = WithMessage(origin, sources, dwarfMessage, ubsan);

            var agree = false;
            if (registers is not null)
            {
                if (branch.ConditionCode == ConditionCode.None)
                {
                    origin = origin with { Condition = ConditionStatus.Unknown, Evidence = $"{Disassembly.Format(branch)} is not a flags branch" };
                }
                else
                {
                    var result = BranchConditionEvaluator.Evaluate(view, index, path, trapOnTaken, registers, memory, symbols);
                    origin = origin with { Condition = result.Status, Evidence = result.Evidence };
                    agree = result.FlagsAgree;
                }
            }
            origins.Add((origin, agree));
        }
        return Rank(origins);
    }

    private static TrapOrigin WithMessage(TrapOrigin origin, ISourceText? sources, (string Category, string Message)? dwarfMessage, UbsanCheck? ubsan)
    {
        if (dwarfMessage is { } d)
            return origin with { Category = d.Category, Message = d.Message, MessageSource = MessageSource.Dwarf };
        if (sources is not null && origin.Location is { Line: > 0 } at
            && VerboseTrapSource.TryRecover(sources, at.File, at.Line, out var category, out var message))
            return origin with { Category = category, Message = message, MessageSource = MessageSource.RecoveredFromSource };
        if (ubsan is not null)
            return origin with { Category = UbsanCategory, Message = ubsan.Title, MessageSource = MessageSource.UbsanCheckKind };
        return origin;
    }

    // Most likely first: a check whose condition holds and whose compare agrees with the live flags (it ran last), then
    // other holding checks, then undecidable ones, then those that provably did not fire; ties keep code order, since an
    // earlier check usually dominates a later one.
    private static List<TrapOrigin> Rank(List<(TrapOrigin Origin, bool Agree)> origins)
    {
        static int Score((TrapOrigin Origin, bool Agree) o) => o.Origin.Condition switch
        {
            ConditionStatus.Holds => o.Agree ? 0 : 1,
            ConditionStatus.Unknown => 2,
            _ => 3,
        };
        return origins
            .OrderBy(Score)
            .ThenBy(o => o.Origin.BranchAddress)
            .Select((o, i) => o.Origin with { Rank = i + 1 })
            .ToList();
    }
}
