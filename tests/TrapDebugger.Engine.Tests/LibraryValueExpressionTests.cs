using System.Text.RegularExpressions;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Variables;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>Expressions through library values (<c>v[0]</c>, <c>s.len()</c>, <c>*x</c>, field paths, tuple fields, enum
/// fields), assignment, paging of large containers, and the children of containers lldb does not format, checked
/// against the program's own output.</summary>
public sealed class LibraryValueExpressionTests
{
    private static async Task<(RecordedProcess Run, int FrameId)> StopAtValuesAsync(string fixture, string source, params string[] args)
    {
        var binary = Fixtures.Build(fixture, fixture.StartsWith("rust", StringComparison.Ordinal) ? BuildVariant.RustcDebug : BuildVariant.Clang22O0);
        var run = await RecordedProcess.LaunchAsync(binary.Program, args.Length == 0 ? ["values"] : args);
        var line = LibraryValueAgreementTests.SourceLine(source, args.Length > 0 && args[0] == "big" ? "// break: hold" : "// break: values");
        var set = await run.Process.SetSourceBreakpointsAsync(source, [new SourceBreakpointSpec(line)]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var stop = await run.ContinueToStopAsync();
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        return (run, frames[0].Id);
    }

    public static TheoryData<string, string> RustExpressions() => new()
    {
        { "numbers[0]", "1" },
        { "numbers[2] + numbers[0]", "4" },
        { "words[1]", "\"beta\"" },
        { "tail[0]", "2" },
        { "numbers.len()", "3" },
        { "text.len()", "5" },
        { "unicode.len()", "15" },
        { "empty_numbers.is_empty()", "true" },
        { "words.capacity() >= 2", "true" },
        { "some_number.unwrap()", "5" },
        { "some_number.is_some()", "true" },
        { "no_number.is_none()", "true" },
        { "some_number.0", "5" },
        { "some_text.0", "\"inner\"" },
        { "*some_box.0", "9" },
        { "ok.is_ok()", "true" },
        { "err.unwrap_err()", "\"bad\"" },
        { "circle.radius", "1.5" },
        { "rect.0 * rect.1", "6" },
        { "moved.x", "-1" },
        { "painted.1", "Some(200)" },
        { "triple.0", "1" },
        { "triple.1", "\"two\"" },
        { "meters.0", "2.5" },
        { "point.y", "2" },
        { "*boxed_number", "11" },
        { "boxed.x", "3" },
        { "(*boxed).y", "4" },
        { "*shared", "42" },
        { "shared.strong_count()", "2" },
        { "weak.weak_count()", "1" },
        { "*atomic", "\"arc\"" },
        { "counter.value", "7" },
        { "counter.get()", "7" },
        { "cell_vec.value[1]", "2" },
        { "*borrowed", "size=2" },
        { "fixed_map.len()", "3" },
        { "fixed_set.len()", "2" },
        { "ordered.len()", "40" },
        { "ordered[27]", "'b'" },
        { "small_tree[0]", "1" },
        { "queue[0]", "0" },
        { "queue[2]", "2" },
        { "account.owner", "\"ann\"" },
        { "account.tags[1]", "\"b\"" },
        { "account.home.unwrap().y", "6" },
        { "numbers_ref[1]", "2" },
        { "numbers_ref.len()", "3" },
        { "grid[1][0]", "3" },
        { "letter", "'x'" },
        { "unit", "()" },
    };

    [Theory]
    [MemberData(nameof(RustExpressions))]
    public async Task RustExpressionValue(string expression, string expected)
    {
        var (run, frameId) = await StopAtValuesAsync("rust_values", "rust_values.rs");
        await using var _ = run;
        Assert.Equal(expected, (await run.Process.EvaluateAsync(expression, frameId)).Value);
    }

    public static TheoryData<string, string> RustErrors() => new()
    {
        { "numbers[7]", "index 7 is outside the 3 elements" },
        { "no_number.unwrap()", "unwrap() of None" },
        { "numbers.frobnicate()", "no method 'frobnicate()'" },
        { "numbers.len(1)", "takes no arguments" },
        { "rect.2", "has no member named '2'" },
        { "\"text\"", "can only be passed to a function" },
    };

    [Theory]
    [MemberData(nameof(RustErrors))]
    public async Task RustExpressionErrorsSayWhy(string expression, string fragment)
    {
        var (run, frameId) = await StopAtValuesAsync("rust_values", "rust_values.rs");
        await using var _ = run;
        var e = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.EvaluateAsync(expression, frameId));
        Assert.Contains(fragment, e.Message);
    }

    public static TheoryData<string, string, string> CxxExpressions() => new()
    {
        { "ordered[0]", "(first = 1, second = \"one\")", "" },
        { "ordered[2].second", "\"three\"", "" },
        { "ordered.size()", "3", "" },
        { "numbers[1]", "5", "" },
        { "words[2]", "\"b\"", "" },
        { "vec[1] + vec[2]", "5", "" },
        { "vec.capacity() >= 3", "true", "" },
        { "text[1]", "'e'", "" },
        { "text.size()", "5", "" },
        { "text_view.size()", "4", "" },
        { "*owned_number", "17", "" },
        { "owned->y", "2", "" },
        { "(*owned).x", "1", "" },
        { "*shared", "42", "" },
        { "shared_label->text", "\"tag\"", "" },
        { "*maybe", "5", "" },
        { "maybe.has_value()", "true", "" },
        { "empty_maybe.has_value()", "false", "" },
        { "maybe_text.value()", "\"inside\"", "" },
        { "alternative.index()", "1", "" },
        { "(*alternative).y", "4", "" },
        { "chain[2]", "\"zzz\"", "" },
        { "queue[0]", "0", "" },
        { "queue[150]", "150", "" },
        { "queue.size()", "201", "" },
        { "fixed[2]", "6", "" },
        { "view[0]", "1", "" },
        { "fixed_view.size()", "2", "" },
        { "hashed.size()", "2", "" },
        { "labels[1].text", "\"l2\"", "" },
    };

    [Theory]
    [MemberData(nameof(CxxExpressions))]
    public async Task CxxExpressionValueWithBothLibraries(string expression, string expected, string unused)
    {
        _ = unused;
        foreach (var fixture in (string[])["cxx_values", "cxx_values_libcxx"])
        {
            var (run, frameId) = await StopAtValuesAsync(fixture, "cxx_values.cpp");
            await using var _ = run;
            Assert.Equal(expected, (await run.Process.EvaluateAsync(expression, frameId)).Value);
        }
    }

    [Fact]
    public async Task ContainersLldbDoesNotFormatListTheProgramsOwnValues()
    {
        // lldb prints BTreeMap, BTreeSet and VecDeque through no formatter; the program's {:?} output is the reference.
        var binary = Fixtures.Build("rust_values", BuildVariant.RustcDebug);
        var printed = Toolchain.Run(binary.Program, ["print"]).Stdout.Split('\n')
            .Where(l => l.Contains(" = ", StringComparison.Ordinal)).ToDictionary(l => l[..l.IndexOf(" = ", StringComparison.Ordinal)], l => l[(l.IndexOf(" = ", StringComparison.Ordinal) + 3)..]);
        var (run, frameId) = await StopAtValuesAsync("rust_values", "rust_values.rs");
        await using var _ = run;
        foreach (var name in (string[])["ordered", "queue", "numbers", "words", "tail"])
        {
            var row = await run.Process.EvaluateAsync(name, frameId);
            Assert.Equal(Squeeze(printed[name]), Squeeze(Render(run, row)));
        }
    }

    // Renders a variables-view row the way Rust's {:?} prints the value: sequences as [..], maps (children named by key)
    // as {k: v}, structs as Name { f: v }, everything else by its summary.
    private static string Render(RecordedProcess run, VariableInfo row)
    {
        if (row.VariablesReference == 0 || row.Value.StartsWith('"') || row.Value.StartsWith("Some(", StringComparison.Ordinal)) return row.Value;
        var children = run.Process.GetVariables(row.VariablesReference);
        if (row.IndexedVariables is not null && children.All(c => c.Name.StartsWith('[')))
        {
            bool keyed = children.Count > 0 && !Regex.IsMatch(children[0].Name, @"^\[\d+\]$") || row.Type.Contains("BTreeMap", StringComparison.Ordinal);
            return keyed
                ? "{" + string.Join(", ", children.Select(c => $"{c.Name[1..^1]}: {Render(run, c)}")) + "}"
                : "[" + string.Join(", ", children.Select(c => Render(run, c))) + "]";
        }
        var name = row.Type[(row.Type.LastIndexOf("::", StringComparison.Ordinal) + 2)..];
        return $"{name} {{ " + string.Join(", ", children.Select(c => $"{c.Name}: {Render(run, c)}")) + " }";
    }

    private static string Squeeze(string text) => Regex.Replace(text, @"\s+", "");

    [Theory]
    [InlineData("rust_values", "rust_values.rs", new[] { "broken_vec", "broken_map", "broken_tree", "broken_queue", "broken_text" })]
    [InlineData("cxx_values", "cxx_values.cpp", new[] { "broken_vector", "broken_map", "broken_list", "broken_hash", "broken_deque", "broken_string" })]
    [InlineData("cxx_values_libcxx", "cxx_values.cpp", new[] { "broken_vector", "broken_map", "broken_list", "broken_hash", "broken_deque", "broken_string" })]
    public async Task ContainersThatAreNotContainersSayWhyInOneSentence(string fixture, string source, string[] pointers)
    {
        // Each pointer leads to bytes that are no container (an uninitialized or overwritten one looks like this): the
        // summary names the problem, the children stop there, and an element access is refused; nothing hangs or throws.
        var (run, frameId) = await StopAtValuesAsync(fixture, source);
        await using var _ = run;
        foreach (var pointer in pointers)
        {
            var row = await run.Process.EvaluateAsync($"*{pointer}", frameId);
            Assert.Matches(@"^<(.+; it is not initialized or is corrupt|cannot read memory at 0x[0-9a-f]+)>$", row.Value);
            Assert.Equal(0, row.VariablesReference);
            Assert.Null(row.IndexedVariables);
            if (row.Value.Contains("corrupt", StringComparison.Ordinal))
            {
                var e = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.EvaluateAsync($"(*{pointer})[0]", frameId));
                Assert.Contains(row.Value[1..^1], e.Message);
            }
        }
    }

    [Fact]
    public async Task AssignmentChangesTheProgramAndIsReadBack()
    {
        var (run, frameId) = await StopAtValuesAsync("rust_values", "rust_values.rs");
        await using var _ = run;
        long before = run.Process.StateVersion;
        Assert.Equal("10", (await run.Process.EvaluateAsync("numbers[0] = 10", frameId)).Value);
        Assert.NotEqual(before, run.Process.StateVersion);
        Assert.Equal("10", (await run.Process.EvaluateAsync("numbers[0]", frameId)).Value);
        Assert.Equal("6", (await run.Process.EvaluateAsync("point.x += 5", frameId)).Value);
        Assert.Equal("6", (await run.Process.EvaluateAsync("point.x", frameId)).Value);
        Assert.Equal("false", (await run.Process.EvaluateAsync("flag = 0", frameId)).Value);
        Assert.Equal("9", (await run.Process.EvaluateAsync("counter.value = 9", frameId)).Value);
        Assert.Equal("2.5", (await run.Process.EvaluateAsync("circle.radius = circle.radius + 1", frameId)).Value);
        Assert.Equal("Circle{radius:2.5}", (await run.Process.EvaluateAsync("circle", frameId)).Value);
        // The variables view of the same stop reads the new values.
        var scopes = await run.Process.GetScopesAsync(frameId);
        var locals = run.Process.GetVariables(scopes[0].VariablesReference);
        Assert.Equal("{x:6, y:2}", locals.Last(l => l.Name == "point").Value);
        var e = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.EvaluateAsync("text = 3", frameId));
        Assert.Contains("only scalars", e.Message);
        // The program runs on with the values the debugger gave it: inspect sums tail (numbers[1..]) and the circle.
        // The program runs on with the values the debugger gave it: inspect receives numbers[1..] and the circle.
        Assert.Equal("12", (await run.Process.EvaluateAsync("numbers[1] = 12", frameId)).Value);
        var set = await run.Process.SetSourceBreakpointsAsync("rust_values.rs", [new SourceBreakpointSpec(LibraryValueAgreementTests.SourceLine("rust_values.rs", "// break: inspect"))]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var stop = await run.ContinueToStopAsync();
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        Assert.Equal("rust_values::inspect", frames[0].Name);
        Assert.Equal("12", (await run.Process.EvaluateAsync("numbers[0]", frames[0].Id)).Value);
        Assert.Equal("15", (await run.Process.EvaluateAsync("total", frames[0].Id)).Value);
        Assert.Equal("Circle{radius:2.5}", (await run.Process.EvaluateAsync("*shape", frames[0].Id)).Value);
    }

    [Theory]
    [InlineData("rust_values", "rust_values.rs")]
    [InlineData("cxx_values", "cxx_values.cpp")]
    [InlineData("cxx_values_libcxx", "cxx_values.cpp")]
    public async Task LargeContainersArePagedInOrder(string fixture, string source)
    {
        const int n = 3000;
        var (run, frameId) = await StopAtValuesAsync(fixture, source, "big", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using var _ = run;
        var names = await run.Process.EvaluateAsync("names", frameId);
        Assert.Equal(n, names.IndexedVariables);
        var page = run.Process.GetVariables(names.VariablesReference, 2900, 100);
        Assert.Equal(100, page.Count);
        Assert.Equal("[2900]", page[0].Name);
        Assert.Equal("\"name-2999\"", page[^1].Value);
        Assert.Equal("\"name-1234\"", (await run.Process.EvaluateAsync("names[1234]", frameId)).Value);
        Assert.Equal("\"name-1234\"", (await run.Process.EvaluateAsync(page[0].EvaluateName!.Replace("2900", "1234"), frameId)).Value);

        var table = await run.Process.EvaluateAsync("table", frameId);
        Assert.Equal(n, table.IndexedVariables);
        var keys = new HashSet<string>();
        for (int start = 0; start < n; start += 500)
        {
            foreach (var entry in run.Process.GetVariables(table.VariablesReference, start, 500))
            {
                // Rust's map shows (key, value) tuples, C++'s std::map std::pairs.
                var m = Regex.Match(entry.Value, @"^\((?:first = )?(\d+), (?:second = )?""value-(\d+)""\)$");
                Assert.True(m.Success, entry.Value);
                Assert.Equal(m.Groups[1].Value, m.Groups[2].Value);
                keys.Add(m.Groups[1].Value);
            }
        }
        Assert.Equal(n, keys.Count);
    }
}
