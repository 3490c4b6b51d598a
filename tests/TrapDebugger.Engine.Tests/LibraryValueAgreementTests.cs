using System.Text.RegularExpressions;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Variables;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>The Rust and C++ standard library values of rust_values, cxx_values (libstdc++, built by clang-22 and gcc)
/// and cxx_values_libcxx, as the variables view shows them, compared with what lldb-22's formatters print for the same
/// program stopped at the same line: every summary lldb prints, and the children it lists, level by level.</summary>
/// <remarks>
/// Principled differences, not compared or compared with another reference:
/// - values lldb prints through no formatter (its own raw members: a BTreeMap, a Cell, a std::array) are compared
///   by their elements, which both list, not by summary;
/// - lldb's Rust formatter picks the variant of an enum whose niche discriminant is at or above 2^63 wrongly (a
///   Result&lt;i32, String&gt; that is Ok(3) shows as Err("")), so those variables are compared with the program's own
///   {:?} output instead;
/// - Rust's u8 and i8, which lldb prints as C characters ('\xfd', and u8 arrays as strings "\a\b\t"), and the unit
///   type, which it cannot size;
/// - the characters of a string, which lldb's Rust formatters list as its children (the engine shows text as text, as
///   both debuggers do for std::string);
/// - addresses (pointers, "Type @ 0x…"), which differ between the two runs only in their value;
/// - the order of a std::collections::HashMap with a random hasher (compared as a set of entries).
/// </remarks>
public sealed partial class LibraryValueAgreementTests
{
    public static TheoryData<string, string> Programs() => new()
    {
        { "rust_values", "rustc-O0" },
        { "cxx_values", "clang22-O0" },
        { "cxx_values", "gcc-O0" },
        { "cxx_values_libcxx", "clang22-O0" },
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task LibraryValuesAgreeWithLldbFormatters(string fixture, string variant)
    {
        var binary = Fixtures.Build(fixture, LldbAgreementTests.Variant(variant));
        bool rust = fixture.StartsWith("rust", StringComparison.Ordinal);
        var source = rust ? "rust_values.rs" : "cxx_values.cpp";
        int line = SourceLine(source, "// break: values");
        // lldb-22 cannot read GCC's DWARF for libstdc++'s std::map (it crashes), so the gcc build is compared with what
        // lldb prints for the clang build of the same source and library: the values do not depend on the compiler.
        var reference = variant == "gcc-O0" ? Fixtures.Build(fixture, LldbAgreementTests.Variant("clang22-O0")) : binary;
        await using var run = await RecordedProcess.LaunchAsync(binary.Program, "values");
        var set = await run.Process.SetSourceBreakpointsAsync(source, [new SourceBreakpointSpec(line)]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var stop = await run.ContinueToStopAsync();
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        var scopes = await run.Process.GetScopesAsync(frames[0].Id);
        var locals = run.Process.GetVariables(scopes[0].VariablesReference);
        // Locals declared below the stop are uninitialized stack (different in every run, and lldb's Rust formatters
        // hang on a String whose garbage length is huge): only the ones declared above are compared.
        var declared = (await run.Process.GetScopeAsync(frames[0])).Locals
            .Where(d => d.DeclarationLine > 0 && d.DeclarationLine <= line && !d.IsArgument).ToList();
        Assert.True(declared.Count > 10, $"only {declared.Count} locals are declared above line {line}");
        var misread = declared.Where(d => HasHighNiche(d.Value.Type)).Select(d => d.Name).ToHashSet();
        if (rust) Assert.True(misread.Count >= 4, "the fixture has enums with niches at or above 2^63");

        var expected = LldbValueTree.FrameVariables(reference.Program, source, line, ["values"], RustFormatterSetup(rust),
            declared.Select(d => d.Name).Where(n => !misread.Contains(n)).Distinct().ToList());
        Assert.True(expected.Count > 10, $"lldb listed {expected.Count} variables");

        var problems = new List<string>();
        int compared = 0;
        if (misread.Count > 0)
        {
            var debugOutput = DebugOutput(binary.Program);
            foreach (var name in misread)
            {
                var mine = locals.LastOrDefault(l => l.Name == name);
                if (!debugOutput.TryGetValue(name, out var printed)) problems.Add($"{name}: the program does not print it");
                else if (mine is null || Squeeze(mine.Value) != Squeeze(printed)) problems.Add($"{name}: '{mine?.Value}' != the program's own '{printed}'");
                else compared++;
            }
        }
        foreach (var want in expected)
        {
            var mine = locals.LastOrDefault(l => l.Name == want.Name);
            if (mine is null)
            {
                problems.Add($"{want.Name}: lldb shows it, the engine does not");
                continue;
            }
            compared += Compare(run, want.Name, mine, want, 0, problems, unordered: rust && want.Type?.Contains("RandomState") == true);
        }
        Assert.True(problems.Count == 0, $"{problems.Count} disagreements with lldb-22 over {compared} values:\n" + string.Join('\n', problems));
        Assert.True(compared > 40, $"only {compared} values compared");
    }

    private const int MaxDepth = 3;

    private static int Compare(RecordedProcess run, string path, VariableInfo mine, LldbValue want, int depth, List<string> problems, bool unordered)
    {
        int compared = 0;
        // lldb lists a smart pointer's raw pointer as its child; the engine lists what it points to.
        if (mine.Type.Contains("_ptr<", StringComparison.Ordinal)) want.Children.RemoveAll(c => c.Name == "pointer");
        if (ComparableSummary(want, mine) && !SameSummary(mine.Value, want.Summary))
            problems.Add($"{path}: '{mine.Value}' != lldb '{want.Summary}'");
        else
            compared++;
        if (want.Children.Count == 0 || depth >= MaxDepth || IsRawLibraryMember(want) || IsText(mine)) return compared;
        if (mine.VariablesReference == 0)
        {
            problems.Add($"{path}: lldb lists {want.Children.Count} children, the engine none");
            return compared;
        }
        var children = run.Process.GetVariables(mine.VariablesReference);
        if (unordered)
        {
            // A random hasher orders the buckets differently in every run: compare the entries as a set.
            var theirs = want.Children.Select(c => Squeeze(c.Summary)).Order().ToList();
            var ours = children.Select(c => Squeeze(c.Value)).Order().ToList();
            if (!theirs.SequenceEqual(ours)) problems.Add($"{path}: entries [{string.Join(", ", ours)}] != lldb [{string.Join(", ", theirs)}]");
            return compared + 1;
        }
        foreach (var child in want.Children)
        {
            var match = children.FirstOrDefault(c => c.Name == child.Name);
            if (match is null)
            {
                problems.Add($"{path}.{child.Name}: lldb lists it, the engine has [{string.Join(", ", children.Select(c => c.Name).Take(8))}]");
                continue;
            }
            compared += Compare(run, $"{path}.{child.Name}", match, child, depth + 1, problems, false);
        }
        return compared;
    }

    // lldb prints some library objects through no formatter: their raw members (libstdc++'s _M_elems, a BTreeMap's
    // root, a Cell's value wrapper) are not what the engine shows; their contents are compared where both list them.
    private static bool IsRawLibraryMember(LldbValue want) =>
        want.Summary.Length == 0 && want.Children.Any(c => c.Name is "_M_elems" or "__elems_" or "root" or "length" or "_marker" or "ptr" or "map");

    // lldb's Rust formatters also list a string's characters as its children; the engine shows text as text only, as
    // both do for std::string.
    private static bool IsText(VariableInfo mine) => mine.Value.StartsWith('"');

    private static bool ComparableSummary(LldbValue want, VariableInfo mine)
    {
        var s = want.Summary;
        if (s.Length == 0) return false;
        // Addresses differ between the two runs.
        if (Regex.IsMatch(s, "0x[0-9a-f]{8,}")) return false;
        // lldb reads Rust's u8 and i8 (and arrays of them) as C characters, and cannot size the unit type.
        if (mine.Type.StartsWith("[u8;", StringComparison.Ordinal) || mine.Type is "u8" or "i8" || mine.Type == "()") return false;
        return true;
    }

    private static bool SameSummary(string mine, string lldb) => Normalize(mine) == Normalize(lldb);

    // Type names inside summaries ("Active Type = …") are spelled by each debugger from DWARF: compare them without the
    // library's inline namespaces and default template arguments.
    private static string Normalize(string text)
    {
        text = Regex.Replace(text, @"\s+", " ").Trim();
        text = text.Replace("std::__1::", "std::", StringComparison.Ordinal).Replace("std::__cxx11::", "std::", StringComparison.Ordinal);
        text = text.Replace(", std::char_traits<char>, std::allocator<char> ", "", StringComparison.Ordinal)
            .Replace(", std::char_traits<char>, std::allocator<char>", "", StringComparison.Ordinal);
        return text.Replace("> >", ">>", StringComparison.Ordinal);
    }

    private static string Squeeze(string text) => Regex.Replace(text, @"\s+", "");

    // lldb-22's Rust formatter names each variant after its discriminant value and matches it against the value read as a
    // different signedness: a niche at or above 2^63 never matches, so it shows the default variant (a Result that is
    // Ok(3) as Err("")), and reading that variant's String from the niche's bytes can take minutes.
    private static bool HasHighNiche(Dwarf.Types.DwarfType type) =>
        type.Canonical is Dwarf.Types.CompositeType { VariantPart: { } part } && part.Variants.Any(v => v.Values.Any(r => r.Low >= 1UL << 63));

    private static List<string> RustFormatterSetup(bool rust)
    {
        if (!rust) return ["settings set target.max-children-count 256"];
        var etc = LldbValueTree.RustFormatters();
        return
        [
            "settings set target.max-children-count 256",
            $"command script import {Path.Combine(etc, "lldb_lookup.py")}",
            $"command source -s 1 {Path.Combine(etc, "lldb_commands")}",
        ];
    }

    // "name = {:?}" lines of the program's print mode.
    private static Dictionary<string, string> DebugOutput(string program)
    {
        var result = Toolchain.Run(program, ["print"]);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in result.Stdout.Split('\n'))
        {
            int eq = line.IndexOf(" = ", StringComparison.Ordinal);
            if (eq > 0) map[line[..eq]] = line[(eq + 3)..].Trim();
        }
        return map;
    }

    internal static int SourceLine(string file, string marker)
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, "tests", "fixtures", file));
        var hits = lines.Select((l, i) => (l, i)).Where(x => x.l.Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.True(hits.Count == 1, $"'{marker}' occurs {hits.Count} times in {file}");
        return hits[0].i + 1;
    }
}
