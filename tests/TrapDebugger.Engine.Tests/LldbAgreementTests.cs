using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>Runs each fixture to a stop under both the engine and <c>lldb-22 -b</c> and compares the stacks (function,
/// inlined frames, file:line, pc) and the arguments and locals of the program's frames.</summary>
/// <remarks>
/// Principled differences, not compared: values that are stack addresses (the two debuggers start the program with
/// different environments, so the stack sits at a different place); locals declared below the current line (their
/// storage is uninitialized stack that differs between runs); variables lldb prints over several lines (aggregates);
/// the wording inside "&lt;…&gt;" for unavailable values; glibc's __GI_ aliases and Rust's hashes, generic spellings
/// and export names, where lldb names a frame by its ELF symbol and the engine by its DWARF name. Values are compared
/// only in the program's own frames.
/// </remarks>
public sealed class LldbAgreementTests
{
    /// <summary>fixture, variant, arguments (space separated), breakpoint ("" for a crash).</summary>
    public static TheoryData<string, string, string, string> Cases() => new()
    {
        { "verbose_trap", "clang22-O0", "5", "" },
        { "verbose_trap", "clang22-O2", "5", "" },
        { "verbose_trap", "clang19-O0", "5", "" },
        { "verbose_trap", "clang22-O0", "1", "get" },
        { "verbose_trap_multi", "clang22-O0", "bounds", "" },
        { "verbose_trap_multi", "clang22-O2", "state", "" },
        { "verbose_trap_multi", "clang22-O0", "amount 0", "" },
        { "builtin_trap", "gcc-O0", "9", "" },
        { "builtin_trap", "clang22-O2", "9", "" },
        { "ubsan_trap", "clang22-O0", "add 2147483647 1", "" },
        { "ubsan_trap", "clang22-O2", "index 0 12", "" },
        { "null_field", "clang22-O0", "mallory", "" },
        { "null_field", "gcc-O2", "mallory", "" },
        { "assert_fail", "clang22-O0", "100", "" },
        { "shlib_trap", "clang22-O0", "2 3", "" },
        { "cxx_program", "clang22-O0", "5 trap", "" },
        { "cxx_program", "clang22-O0", "3", "cxx_program.cpp:86" },
        { "cxx_program", "clang22-O2", "5 trap", "" },
        { "libcxx_hardened", "clang22-O0", "vector 10", "" },
        { "rust_abort", "rustc-O0", "panic", "" },
    };

    internal static BuildVariant Variant(string v) => v switch
    {
        "clang22-O0" => BuildVariant.Clang22O0,
        "clang22-O2" => BuildVariant.Clang22O2,
        "clang19-O0" => BuildVariant.Clang19O0,
        "clang19-O2" => BuildVariant.Clang19O2,
        "gcc-O0" => BuildVariant.GccO0,
        "gcc-O2" => BuildVariant.GccO2,
        "rustc-O0" => BuildVariant.RustcDebug,
        _ => throw new ArgumentException(v),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task StackAndLocalsAgreeWithLldb(string fixture, string variant, string arguments, string breakpoint)
    {
        var binary = Fixtures.Build(fixture, Variant(variant));
        var args = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int inspected = 8;
        var reference = LldbReference.Run(binary.Program, args, breakpoint.Length == 0 ? null : breakpoint, inspected);
        Assert.True(reference.Count > 0, "lldb printed no backtrace");

        await using var run = await RecordedProcess.LaunchAsync(binary.Program, args);
        if (breakpoint.Contains(':'))
        {
            var parts = breakpoint.Split(':');
            var set = await run.Process.SetSourceBreakpointsAsync(parts[0], [new SourceBreakpointSpec(int.Parse(parts[1]))]);
            Assert.True(set[0].IsVerified, set[0].Message);
        }
        else if (breakpoint.Length > 0)
        {
            var set = await run.Process.SetFunctionBreakpointsAsync([new FunctionBreakpointSpec(breakpoint)]);
            Assert.True(set[0].IsVerified, set[0].Message);
        }
        var stop = await run.ContinueToStopAsync();
        Assert.Equal(breakpoint.Length == 0 ? StopCause.Exception : (breakpoint.Contains(':') ? StopCause.Breakpoint : StopCause.FunctionBreakpoint), stop.Cause);
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId);

        var problems = new List<string>();
        int compared = 0, values = 0;
        for (int i = 0; i < reference.Count; i++)
        {
            var want = reference[i];
            if (i >= frames.Count)
            {
                problems.Add($"#{i}: lldb has {want.Function} at {want.File}:{want.Line}, the engine has no frame");
                continue;
            }
            var got = frames[i];
            compared++;
            // lldb may name a frame by the ELF symbol at the pc (Rust export names such as __rustc::rust_begin_unwind).
            var symbol = got.Module?.SymbolAt(got.Physical.LookupPc)?.Name;
            if (!SameFunction(got.Name, want.Function) && !(got.InlineDepth == 0 && symbol is not null && SameFunction(Frames.FrameSymbolizer.Demangle(symbol), want.Function)))
                problems.Add($"#{i}: function '{got.Name}' != lldb '{want.Function}'");
            // The machine frame's pc; lldb shows some outer inlined frames at other addresses of the chain.
            if (got.InlineDepth == 0 && got.Pc != want.Pc) problems.Add($"#{i}: pc 0x{got.Pc:x} != lldb 0x{want.Pc:x}");
            if (want.File is not null && got.IsInlined != want.Inlined) problems.Add($"#{i}: inlined {got.IsInlined} != lldb {want.Inlined}");
            var gotLine = (int)(got.Location?.Line ?? 0);
            var gotFile = got.Location?.File is { } f ? Path.GetFileName(f) : null;
            if (want.File is not null && (gotFile != want.File || gotLine != want.Line))
                problems.Add($"#{i} {want.Function}: location {gotFile}:{gotLine} != lldb {want.File}:{want.Line}");
            if (i >= inspected || got.Module?.IsMainProgram != true) continue;
            var scopes = await run.Process.GetScopesAsync(got.Id);
            var locals = run.Process.GetVariables(scopes[0].VariablesReference);
            var declared = (await run.Process.GetScopeAsync(got)).Locals;
            foreach (var v in want.Variables)
            {
                var mine = locals.LastOrDefault(l => l.Name == v.Name);
                if (mine is null)
                {
                    problems.Add($"#{i} {want.Function}: lldb shows '{v.Name}', the engine does not");
                    continue;
                }
                if (v.Value.EndsWith('{') || v.Value.StartsWith("0x00007ff", StringComparison.Ordinal)) continue;
                // A local declared below the current line is uninitialized stack; its bytes differ between two runs.
                if (declared.LastOrDefault(d => d.Name == v.Name) is { DeclarationLine: > 0 } d && d.DeclarationLine > want.Line && !d.IsArgument) continue;
                values++;
                var lldbValue = v.Value;
                // lldb only follows DW_OP_entry_value through direct call edges; the engine also uses the call-site
                // parameters of indirect calls (glibc calls main through a pointer), so it shows argc/argv where lldb cannot.
                if (lldbValue.StartsWith("<could not evaluate DW_OP_entry_value", StringComparison.Ordinal)) continue;
                if (mine.Value != lldbValue && !SameOptimizedOut(mine.Value, lldbValue))
                    problems.Add($"#{i} {want.Function}: {v.Name} = '{mine.Value}' != lldb '{lldbValue}'");
            }
        }
        Assert.True(problems.Count == 0, $"{problems.Count} disagreements with lldb over {compared} frames and {values} values:\n" + string.Join('\n', problems));
        Assert.True(compared >= 2);
    }

    // Both say the value is not available; the wording of the reason differs.
    private static bool SameOptimizedOut(string mine, string lldb) => mine.StartsWith('<') && lldb.StartsWith('<');

    internal static bool SameFunction(string mine, string lldb)
    {
        if (mine == lldb) return true;
        // Demangled names carry parameter lists; lldb's display name of a frame drops them.
        if (LldbReference.FunctionName(mine) == LldbReference.FunctionName(lldb)) return true;
        // glibc's internal aliases: lldb names the frame by the hidden symbol (__GI_raise), DWARF by the source name.
        if (lldb == "__GI_" + mine || lldb == "__GI___" + mine || lldb == "__" + mine) return true;
        // Rust: lldb prints the demangled linkage name (with its hash and ::<> generics), DWARF the path of the item.
        return RustPath(mine) == RustPath(lldb);
    }

    private static string RustPath(string name)
    {
        // lldb leaves the legacy mangling's escapes in closure names: _$u7b$$u7b$closure$u7d$$u7d$.
        name = name.Replace("_$u7b$", "{", StringComparison.Ordinal).Replace("$u7b$", "{", StringComparison.Ordinal).Replace("$u7d$", "}", StringComparison.Ordinal);
        name = System.Text.RegularExpressions.Regex.Replace(name, "::h[0-9a-f]{16}$", "");
        var sb = new System.Text.StringBuilder();
        int depth = 0;
        foreach (var c in name)
        {
            if (c == '<') depth++;
            else if (c == '>') depth--;
            else if (depth == 0) sb.Append(c);
        }
        var plain = sb.ToString().Replace("::::", "::", StringComparison.Ordinal).TrimEnd(':');
        int last = plain.LastIndexOf("::", StringComparison.Ordinal);
        return last >= 0 ? plain[(last + 2)..] : plain;
    }
}
