using TrapDebugger.Engine.Process;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cores.Tests;

/// <summary>A core opened as a target through the engine shows every thread's stack as gdb -c and lldb-22 -c do: the same
/// threads, the same frames (pcs, inlined calls) and the same functions of the program in them.</summary>
public sealed class CoreTargetBacktraceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases => [.. CoreCatalog.Ids];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryThreadUnwindsAsGdbAndLldbUnwindIt(string id)
    {
        var dump = CoreCatalog.Produce(id);
        await AssertUnwindsAsGdbAndLldbAsync(dump.Path, dump.Binary, output);
    }

    [Fact]
    public async Task AThreadCreatingAnotherUnwindsThroughClone3()
    {
        // glibc's clone3 has no CFI at its syscall (the parent and the new thread both return there): the thread that is
        // creating one still unwinds to main, as gdb and lldb unwind it.
        var binary = Fixtures.Build("threads32", BuildVariant.Clang22O0);
        var folder = Directory.CreateTempSubdirectory("trapdbg-clone3-core-").FullName;
        try
        {
            var core = CoreDumps.WriteGdbCore(binary.Program, ["trap"], folder, "catch syscall clone3");
            await AssertUnwindsAsGdbAndLldbAsync(core, binary, output);
            await using var process = await TargetProcess.OpenAsync(CoreTarget.Open(core));
            var (frames, _) = await process.GetStackTraceAsync(process.LastStop!.ThreadId);
            Assert.Equal(["clone3", "__clone_internal", "create_thread", "__pthread_create_2_1", "main"], frames.Take(5).Select(f => f.Name));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    /// <summary>Opens <paramref name="core"/> of <paramref name="binary"/> through the engine and checks every thread's frames
    /// against gdb's and lldb's.</summary>
    internal static async Task AssertUnwindsAsGdbAndLldbAsync(string core, FixtureBinary binary, ITestOutputHelper output)
    {
        await using var process = await TargetProcess.OpenAsync(CoreTarget.Open(core));
        var gdb = CoreCatalog.Gdb(binary.Program, core);
        var lldb = CoreCatalog.Lldb(binary.Program, core, process.Threads.Count);
        Assert.Equal(gdb.Frames.Keys.Order(), process.Threads.Select(t => t.Id).Order());
        Assert.Equal(lldb.Frames.Keys.Order(), process.Threads.Select(t => t.Id).Order());
        var ownModules = new[] { binary.Program, binary.SharedLibrary }.OfType<string>().Select(Path.GetFileName).ToHashSet();
        foreach (var thread in process.Threads)
        {
            var (frames, _) = await process.GetStackTraceAsync(thread.Id, 0, 256);
            var ours = frames.Select(f => (f.Pc, f.IsInlined, Name: Simple(f.Name), Own: f.Module is { } m && ownModules.Contains(m.Name))).ToList();
            // gdb and lldb rebuild the frames of some tail calls from DWARF call-site information; they are not on the
            // stack, and the engine does not show them.
            var theirs = gdb.Frames[thread.Id].Where(f => f.Kind != GdbFrameKind.TailCall)
                .Select(f => (f.Pc, Inlined: f.Kind == GdbFrameKind.Inline, Name: Simple(f.Function))).ToList();
            var lldbFrames = lldb.Frames[thread.Id].Where(f => !f.TailCall).ToList();
            var message = $"thread {thread.Id}:\n ours {Show(ours.Select(f => (f.Pc, f.IsInlined, f.Name)))}\n gdb  {Show(theirs)}\n lldb {Show(lldbFrames.Select(f => (f.Pc, f.Inlined, Simple(f.Function))))}";
            output.WriteLine(message);
            Assert.True(ours.Count == theirs.Count && ours.Count == lldbFrames.Count, message);
            for (int i = 0; i < ours.Count; i++)
            {
                Assert.True(ours[i].Pc == theirs[i].Pc && ours[i].IsInlined == theirs[i].Inlined, $"frame {i}: {message}");
                // lldb shows an inlined call's callers at the call site, so its pc agrees only outside inlined calls.
                if (!ours[i].IsInlined && (i == 0 || !ours[i - 1].IsInlined))
                    Assert.True(ours[i].Pc == lldbFrames[i].Pc, $"frame {i}: {message}");
                // The fixture's own functions are named as gdb names them (the C library's have aliases each debugger
                // picks differently: raise, __GI_raise).
                if (ours[i].Own)
                    Assert.True(ours[i].Name == theirs[i].Name, $"frame {i}: {message}");
            }
        }
    }

    // The unqualified function name: debuggers qualify and decorate names differently (lldb's module`, C++ parameter
    // lists and template arguments, Rust's generic arguments), the function itself is the same.
    private static string Simple(string name)
    {
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[(tick + 1)..];
        int depth = 0, cut = name.Length;
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] is '<' or '(') { if (depth++ == 0 && cut == name.Length && i > 0) cut = i; }
            else if (name[i] is '>' or ')') depth--;
        }
        var bare = name[..cut];
        int colons = bare.LastIndexOf("::", StringComparison.Ordinal);
        return colons >= 0 ? bare[(colons + 2)..] : bare;
    }

    private static string Show(IEnumerable<(ulong Pc, bool Inlined, string Name)> frames) =>
        string.Join(" < ", frames.Select(f => $"{f.Name}@{f.Pc:x}{(f.Inlined ? "(i)" : "")}"));
}
