using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>Variables, expressions and setVariable on cxx_program stopped inside its loop (i = 0, item "crate-0" filled in).</summary>
public sealed class VariablesAndExpressionsTests
{
    private static async Task<(RecordedProcess Run, int FrameId)> StopInLoopAsync()
    {
        var binary = Fixtures.Build("cxx_program", BuildVariant.Clang22O0);
        var run = await RecordedProcess.LaunchAsync(binary.Program, "1");
        await run.Process.SetSourceBreakpointsAsync("cxx_program.cpp", [new SourceBreakpointSpec(108)]);
        var stop = await run.ContinueToStopAsync();
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        Assert.Equal("main", frames[0].Name);
        return (run, frames[0].Id);
    }

    public static TheoryData<string, string> Expressions() => new()
    {
        { "i", "0" },
        { "depth", "1" },
        { "item.quantity", "10" },
        { "item.flags.serial", "5000" },
        { "item.flags.fragile", "0" },
        { "item.flags.priority", "2" },
        { "item.flags.shelf", "7" },
        { "item.name", "\"crate-0\"" },
        { "item.quantity * 3 + 1", "31" },
        { "(long)item.quantity - 20", "-10" },
        { "item.quantity == 10", "true" },
        { "item.quantity > 10 || i == 0", "true" },
        { "item.flags.serial,x", "0x0000000000001388" },
        { "item.quantity,b", "0b00000000000000000000000000001010" },
        { "(&item)->quantity", "10" },
        { "*&i", "0" },
        { "argv[1]", "" },
        { "argv[1][0]", "'1'" },
        { "sizeof(int)", "4" },
        { "'a' + 1", "98" },
        { "trap", "false" },
        { "10 / 4", "2" },
        { "-7 % 3", "-1" },
        { "1u << 31", "2147483648" },
    };

    [Theory]
    [MemberData(nameof(Expressions))]
    public async Task ExpressionValue(string expression, string expected)
    {
        var (run, frameId) = await StopInLoopAsync();
        await using var _ = run;
        var result = await run.Process.EvaluateAsync(expression, frameId);
        if (expression == "argv[1]")
            Assert.EndsWith(" \"1\"", result.Value);
        else
            Assert.Equal(expected, result.Value);
    }

    public static TheoryData<string, string> Errors() => new()
    {
        { "nosuch", "no variable named 'nosuch'" },
        { "item.nosuch()", "no method 'nosuch'" },
        { "i = item", "cannot cast a value of type 'warehouse::Item'" },
        { "i += item", "needs a number" },
        { "item.nosuch", "has no member named 'nosuch'" },
        { "item->quantity", "needs a pointer" },
        { "i / 0", "division by zero" },
        { "(struct nosuch *)0", "no type named" },
        { "i +", "expression ends" },
        { "i,q", "unknown format suffix" },
        { "$nosuch", "no register named" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task ExpressionErrorsAreOneClearSentence(string expression, string fragment)
    {
        var (run, frameId) = await StopInLoopAsync();
        await using var _ = run;
        var e = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.EvaluateAsync(expression, frameId));
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public async Task LocalsExpandIntoMembersBitFieldsAndBases()
    {
        var (run, frameId) = await StopInLoopAsync();
        await using var _ = run;
        var scopes = await run.Process.GetScopesAsync(frameId);
        Assert.Equal(["Locals", "Registers", "Globals"], scopes.Select(s => s.Name));
        var locals = run.Process.GetVariables(scopes[0].VariablesReference);
        Assert.Equal(["argc", "argv"], locals.Take(2).Select(v => v.Name));
        var item = locals.Single(v => v.Name == "item");
        Assert.Equal("warehouse::Item", item.Type);
        Assert.NotEqual(0, item.VariablesReference);
        var members = run.Process.GetVariables(item.VariablesReference);
        Assert.Equal(["name", "quantity", "flags"], members.Select(m => m.Name));
        Assert.Equal("\"crate-0\"", members[0].Value);
        var flags = run.Process.GetVariables(members[2].VariablesReference);
        Assert.Equal(["warehouse::Tracked", "fragile", "hazardous", "priority", "shelf"], flags.Select(f => f.Name));
        Assert.Equal(["0", "0", "2", "7"], flags.Skip(1).Select(f => f.Value));
        var tracked = run.Process.GetVariables(flags[0].VariablesReference);
        Assert.Equal("5000", tracked.Single(t => t.Name == "serial").Value);
        var inventory = locals.Single(v => v.Name == "inventory");
        var slots = run.Process.GetVariables(inventory.VariablesReference).Single(v => v.Name == "slots_");
        Assert.Equal("size=0", slots.Value);
    }

    [Fact]
    public async Task SetVariableChangesTheProgram()
    {
        var (run, frameId) = await StopInLoopAsync();
        await using var _ = run;
        var scopes = await run.Process.GetScopesAsync(frameId);
        var row = run.Process.SetVariable(scopes[0].VariablesReference, "depth", "depth + 41");
        Assert.Equal("42", row.Value);
        var again = await run.Process.EvaluateAsync("depth", frameId);
        Assert.Equal("42", again.Value);
        Assert.Throws<ExpressionException>(() => run.Process.SetVariable(scopes[0].VariablesReference, "item", "1"));
    }

    [Fact]
    public async Task WritesAreSeenByEveryLaterReadAtTheSameStop()
    {
        var (run, frameId) = await StopInLoopAsync();
        await using var _ = run;
        var scopes = await run.Process.GetScopesAsync(frameId);
        var locals = run.Process.GetVariables(scopes[0].VariablesReference);
        var item = locals.Single(v => v.Name == "item");
        Assert.Equal("10", run.Process.GetVariables(item.VariablesReference).Single(m => m.Name == "quantity").Value);
        Assert.Equal("10", (await run.Process.EvaluateAsync("item.quantity", frameId)).Value);

        // A write through a member row: the struct's row and expressions read the new bytes.
        var row = run.Process.SetVariable(item.VariablesReference, "quantity", "30");
        Assert.Equal("30", row.Value);
        Assert.Equal("30", run.Process.GetVariables(item.VariablesReference).Single(m => m.Name == "quantity").Value);
        Assert.Equal("30", (await run.Process.EvaluateAsync("item.quantity", frameId)).Value);

        // A raw memory write (DAP writeMemory) is seen by the locals read before it.
        Assert.Equal("1", run.Process.GetVariables(scopes[0].VariablesReference).Single(v => v.Name == "depth").Value);
        Assert.Equal("1", (await run.Process.EvaluateAsync("depth", frameId)).Value);
        var depthAddress = Convert.ToUInt64((await run.Process.EvaluateAsync("&depth", frameId)).Value.Split(' ')[0], 16);
        run.Process.Memory.Write(depthAddress, BitConverter.GetBytes(7));
        Assert.Equal("7", run.Process.GetVariables(scopes[0].VariablesReference).Single(v => v.Name == "depth").Value);
        Assert.Equal("7", (await run.Process.EvaluateAsync("depth", frameId)).Value);
        Assert.Equal("8", (await run.Process.EvaluateAsync("depth + 1", frameId)).Value);
    }

    [Fact]
    public async Task RegistersScopeDecodesFlags()
    {
        var (run, frameId) = await StopInLoopAsync();
        await using var _ = run;
        var scopes = await run.Process.GetScopesAsync(frameId);
        var registers = run.Process.GetVariables(scopes[1].VariablesReference);
        var rip = registers.Single(r => r.Name == "rip");
        var frame = run.Process.GetFrame(frameId);
        Assert.Equal($"0x{frame.Pc:x16}", rip.Value);
        Assert.Contains(registers, r => r.Name == "rflags" && r.Value.Contains('['));
        Assert.Contains(registers, r => r.Name == "xmm0");
        var eval = await run.Process.EvaluateAsync("$rip == $pc", frameId);
        Assert.Equal("true", eval.Value);
    }
}
