namespace TrapDebugger.Traps;

/// <summary>Explains a stop on a trap instruction: verbose-trap messages, UBSan check kinds, merged traps and their origins.</summary>
internal static class TrapAnalysis
{
    public static StopDiagnosis Diagnose(StopContext context, StopDiagnosis basis, TrapInstruction trap)
    {
        var symbols = context.Symbols;
        var at = symbols?.Symbolize(trap.Address);
        var bounds = symbols?.FindFunction(trap.Address);
        var function = at?.Function ?? bounds?.Name;
        basis = basis with { Function = function, Location = at?.Line, TrapAddress = trap.Address, Instruction = trap.Text };

        if (trap.Kind == TrapInstructionKind.Int3)
        {
            var where = Where(function, at?.Line);
            return basis with
            {
                Kind = StopKind.BreakpointInstruction,
                Description = $"Breakpoint instruction in the program{where}",
                ShortText = "Breakpoint instruction",
                Details = [$"{trap.Text} at 0x{trap.Address:x}{where}: an int3 the program contains (e.g. __builtin_debugtrap), not a debugger breakpoint"],
                Landing = new LandingFrame(0, function, at?.Line, "the instruction"),
            };
        }

        // A trap-message frame anywhere in the inline chain at the pc (innermost first).
        (string Category, string Message)? dwarfMessage = null;
        var messageFrame = -1;
        if (at is not null)
        {
            for (var k = 0; k < at.InlineChain.Count; k++)
            {
                if (VerboseTrapName.TryParse(at.InlineChain[k].Name, out var category, out var message))
                {
                    dwarfMessage = (category, message);
                    messageFrame = k;
                    break;
                }
            }
        }

        var ubsan = trap.Kind == TrapInstructionKind.UbsanUd1 ? UbsanCheckTable.Find(trap.UbsanOrdinal!.Value, context.ProducerClangVersion) : null;
        var origins = FindOrigins(context, trap.Address, bounds, dwarfMessage, ubsan);
        basis = basis with { Origins = origins, UbsanCheck = ubsan };
        var top = origins.Count > 0 ? origins[0] : null;
        var details = new List<string> { $"{trap.Text} at 0x{trap.Address:x}{Where(function, at?.Line)}" };

        if (dwarfMessage is { } d)
        {
            var landing = VerboseTrapLanding(context, at!, messageFrame);
            return basis with
            {
                Kind = trap.Kind == TrapInstructionKind.UbsanUd1 ? StopKind.UbsanTrap : StopKind.VerboseTrap,
                Category = d.Category,
                Message = d.Message,
                MessageSource = MessageSource.Dwarf,
                Description = VerboseTrapName.Describe(d.Category, d.Message),
                ShortText = trap.Kind == TrapInstructionKind.UbsanUd1 ? "UBSan trap" : "Verbose trap",
                Details = details,
                Landing = landing,
            };
        }

        if (trap.Kind == TrapInstructionKind.UbsanUd1)
        {
            var ordinal = trap.UbsanOrdinal!.Value;
            var title = ubsan?.Title ?? $"unknown check kind {ordinal}";
            if (ubsan is not null) details.Insert(1, $"UBSan check {ordinal} ({ubsan.Handler}): {ubsan.Explanation}");
            return basis with
            {
                Kind = StopKind.UbsanTrap,
                Category = TrapOriginFinder.UbsanCategory,
                Message = title,
                MessageSource = MessageSource.UbsanCheckKind,
                Description = StopWording.Headline($"{TrapOriginFinder.UbsanCategory}: {title}", StopWording.ConfidenceOf(origins), origins),
                Confidence = StopWording.ConfidenceOf(origins),
                ShortText = "UBSan trap",
                Details = details,
                Landing = Land(context, function, at?.Line, top),
            };
        }

        if (trap.Kind == TrapInstructionKind.OtherUndefined)
        {
            return basis with
            {
                Kind = StopKind.PlainTrap,
                Description = $"Undefined instruction {trap.Text}{Where(function, at?.Line)}",
                ShortText = "Trap",
                Details = details,
                Landing = Land(context, function, at?.Line, top),
            };
        }

        // ud2 without a message frame: one check, several merged checks, or an unconditional trap.
        if (origins.Count >= 2)
        {
            var confidence = StopWording.ConfidenceOf(origins);
            return basis with
            {
                Kind = StopKind.MergedTrap,
                Category = top!.Category,
                Message = top.Message,
                MessageSource = top.MessageSource,
                Description = StopWording.Headline(StopWording.CheckText(top), confidence, origins),
                Confidence = confidence,
                ShortText = "Trap (merged checks)",
                Details = details,
                Landing = Land(context, function, at?.Line, top),
            };
        }
        if (top is { Message: not null, MessageSource: MessageSource.InferredFromCode })
        {
            // A bare ud2 check whose kind its code shape tells: still a plain trap, named by what it tests.
            return basis with
            {
                Kind = StopKind.PlainTrap,
                Category = top.Category,
                Message = top.Message,
                MessageSource = top.MessageSource,
                Description = StopWording.CheckText(top),
                ShortText = "Trap",
                Details = details,
                Landing = Land(context, function, at?.Line, top),
            };
        }
        if (top is { Message: not null })
        {
            return basis with
            {
                Kind = StopKind.VerboseTrap,
                Category = top.Category,
                Message = top.Message,
                MessageSource = top.MessageSource,
                Description = StopWording.CheckText(top),
                ShortText = "Verbose trap",
                Details = details,
                Landing = Land(context, function, at?.Line, top),
            };
        }
        return basis with
        {
            Kind = StopKind.PlainTrap,
            Description = top?.Location is { Line: > 0 } l ? $"Trap (__builtin_trap) reached from {l}" : $"Trap (__builtin_trap){Where(function, at?.Line)}",
            ShortText = "Trap",
            Details = details,
            Landing = Land(context, function, at?.Line, top),
        };
    }

    /// <summary>The branches of the trap's function (in every part of a split function) that reach it, ranked; empty when the
    /// function's code is unavailable.</summary>
    public static IReadOnlyList<TrapOrigin> FindOrigins(StopContext context, ulong trapAddress, FunctionBounds? bounds,
        (string Category, string Message)? dwarfMessage, UbsanCheck? ubsan)
    {
        var code = context.Code ?? context.Memory;
        if (bounds is null || code is null) return [];
        var view = CodeView.Load(code, bounds.AllParts);
        if (view is null) return [];
        return TrapOriginFinder.Find(view, trapAddress, context.Symbols, context.Sources, context.Registers, context.Memory, dwarfMessage, ubsan);
    }

    private static string Where(string? function, SourceLocation? line) =>
        (function is null ? "" : $" in {function}") + (line is { Line: > 0 } l ? $" at {l}" : "");

    private static LandingFrame Land(StopContext context, string? function, SourceLocation? line, TrapOrigin? top)
    {
        if (top?.Location is not { Line: > 0 } origin) return new LandingFrame(0, function, line, "the trap instruction");
        // A check inlined from the standard library (a libc++ hardening assertion) lands where the user's code called it,
        // as the unmerged trap's landing skips std:: frames.
        if (top.InlinedFrom?.StartsWith("std::", StringComparison.Ordinal) == true
            && context.Symbols?.Symbolize(top.BranchAddress) is { } at)
        {
            for (var k = 1; k < at.InlineChain.Count; k++)
            {
                var name = at.InlineChain[k].Name;
                if (name.StartsWith("std::", StringComparison.Ordinal)) continue;
                if (at.LocationOfFrame(k) is { Line: > 0 } call)
                    return new LandingFrame(0, name, call, "the call into the standard library of the check that most likely fired");
                break;
            }
        }
        return new LandingFrame(0, top.InlinedFrom ?? function, origin, "the check that most likely fired");
    }

    /// <summary>The user's frame above a trap-message frame: its caller, skipping <c>std::</c> frames as lldb's verbose-trap recognizer does.</summary>
    private static LandingFrame VerboseTrapLanding(StopContext context, SymbolizedLocation at, int messageFrame)
    {
        const int MaxDepth = 128;
        var frames = context.Backtrace.Count > at.InlineChain.Count
            ? context.Backtrace.Select(f => (f.Function, f.Location)).ToList()
            : at.InlineChain.Select((f, k) => ((string?)f.Name, at.LocationOfFrame(k))).ToList();
        for (var k = messageFrame + 1; k < frames.Count && k <= MaxDepth; k++)
        {
            var (name, location) = frames[k];
            if (name is null) break;
            if (!name.StartsWith("std::", StringComparison.Ordinal))
                return new LandingFrame(k, name, location, "the caller of the trap-message frame");
        }
        var fallback = Math.Min(messageFrame + 1, frames.Count - 1);
        return new LandingFrame(fallback, frames[fallback].Item1, frames[fallback].Item2, "the caller of the trap-message frame");
    }
}
