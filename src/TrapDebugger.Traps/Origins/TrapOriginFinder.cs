using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Finds every conditional branch of a function that reaches a trap, and ranks them against the live state.</summary>
internal static class TrapOriginFinder
{
    /// <summary>The category UBSan checks carry in their trap-message frames (clang ≥ 22) and in recovered origins.</summary>
    public const string UbsanCategory = "Undefined Behavior Sanitizer";

    /// <summary>The category of a check whose message was inferred from its code.</summary>
    public const string InferredCategory = "Check";

    public static List<TrapOrigin> Find(CodeView view, ulong trapAddress, ISymbolizer? symbols, ISourceText? sources,
        RegisterState? registers, IByteSource? memory, (string Category, string Message)? dwarfMessage, UbsanCheck? ubsan)
    {
        var origins = new List<(TrapOrigin Origin, bool Agree)>();
        var facts = new List<(ulong Branch, ulong Continue, IReadOnlyList<Instruction> Path, ConditionResult? Result)>();
        var sites = new List<(int Index, IReadOnlyList<Instruction> Path)>();
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
            // At a stop, a check without a message is named by its code shape; the catalog of a module's traps (no registers)
            // lists only what the program itself says.
            string? shapeEvidence = null;
            if (registers is not null && origin.Message is null && CheckShape.Name(view, index, trapOnTaken, path, registers, memory, symbols) is { } shape)
            {
                origin = origin with { Category = InferredCategory, Message = shape.Message, MessageSource = MessageSource.InferredFromCode };
                shapeEvidence = shape.Evidence;
            }

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
                    // A branch on several combined conditions: its evidence says which of them held, in the variables' terms.
                    var evidence = shapeEvidence is null ? result.Evidence : $"{result.Evidence}: {shapeEvidence}";
                    origin = origin with { Condition = result.Status, Evidence = evidence, LiveFlagsAgree = result.FlagsAgree && result.Status == ConditionStatus.Holds };
                    agree = result.FlagsAgree;
                    facts.Add((branch.IP, trapOnTaken ? branch.NextIP : branch.NearBranchTarget, path, result));
                }
            }
            origins.Add((origin, agree));
            sites.Add((index, path));
        }
        if (registers is not null) ExcludeUnreachableChecks(view, origins, sites, registers, memory, symbols);
        ExcludeShadowedChecks(view, origins, facts);
        return Rank(origins);
    }

    /// <summary>A check whose way to the trap leaves a constant the live registers do not hold, or whose block can only be
    /// entered along branch edges the live state rules out, never fired, whatever its own compare says on the registers left
    /// behind.</summary>
    private static void ExcludeUnreachableChecks(CodeView view, List<(TrapOrigin Origin, bool Agree)> origins,
        List<(int Index, IReadOnlyList<Instruction> Path)> sites, RegisterState registers, IByteSource? memory, ISymbolizer? symbols)
    {
        for (var k = 0; k < origins.Count; k++)
        {
            var origin = origins[k].Origin;
            if (origin.Condition == ConditionStatus.DoesNotHold) continue;
            if ((BlockReachability.Contradiction(sites[k].Path, registers)
                 ?? BlockReachability.WhyUnreachable(view, sites[k].Index, sites[k].Path, registers, memory, symbols)) is not { } why) continue;
            origins[k] = (origin with
            {
                Condition = ConditionStatus.DoesNotHold,
                LiveFlagsAgree = false,
                Evidence = $"cannot have run: {why} (own compare: {origin.Evidence})",
            }, false);
        }
    }

    /// <summary>A check B that can only be reached by passing an earlier check A cannot have fired when A's condition holds on
    /// operands nothing between A and the trap (through B) overwrote: A would have trapped first.</summary>
    /// <remarks>This is what separates a check that fired from a later check whose operand registers still hold stale values
    /// (the load feeding the later compare never ran).</remarks>
    private static void ExcludeShadowedChecks(CodeView view, List<(TrapOrigin Origin, bool Agree)> origins,
        List<(ulong Branch, ulong Continue, IReadOnlyList<Instruction> Path, ConditionResult? Result)> facts)
    {
        var passable = facts.ToDictionary(f => f.Branch, f => f.Continue);
        var info = new InstructionInfoFactory();
        foreach (var a in facts)
        {
            if (a.Result is not { Status: ConditionStatus.Holds, Inputs: { } inputs } ra) continue;
            // A check already shown not to have run (or shadowed itself) holds nothing back.
            if (origins.First(o => o.Origin.BranchAddress == a.Branch).Origin.Condition != ConditionStatus.Holds) continue;
            for (var k = 0; k < origins.Count; k++)
            {
                var b = origins[k].Origin;
                if (b.BranchAddress == a.Branch || b.Condition == ConditionStatus.DoesNotHold) continue;
                var between = view.PathThrough(a.Continue, b.BranchAddress, passable);
                if (between is null) continue;
                var bFacts = facts.FirstOrDefault(f => f.Branch == b.BranchAddress);
                if (bFacts.Path is null) continue;
                var overwritten = false;
                foreach (var i in between.Concat(bFacts.Path))
                {
                    var used = info.GetInfo(i);
                    overwritten |= used.GetUsedRegisters().Any(r =>
                        r.Access is OpAccess.Write or OpAccess.CondWrite or OpAccess.ReadWrite or OpAccess.ReadCondWrite
                        && inputs.Contains(r.Register is Register.AH or Register.BH or Register.CH or Register.DH ? r.Register : r.Register.GetFullRegister()));
                    overwritten |= ra.ReadsMemory && used.GetUsedMemory().Any(m => m.Access is OpAccess.Write or OpAccess.CondWrite or OpAccess.ReadWrite or OpAccess.ReadCondWrite);
                    if (overwritten) break;
                }
                if (overwritten) continue;
                origins[k] = (b with
                {
                    Condition = ConditionStatus.DoesNotHold,
                    LiveFlagsAgree = false,
                    Evidence = $"cannot have fired: the earlier check at 0x{a.Branch:x} holds on unchanged operands and would have trapped first (own compare: {b.Evidence})",
                }, false);
            }
        }
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
