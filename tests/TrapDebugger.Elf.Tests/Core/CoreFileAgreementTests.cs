using TrapDebugger.Elf.Core;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Elf.Tests.Core;

/// <summary>Real cores written by the kernel and by gdb, read by <see cref="CoreFile"/>, agree with what gdb -c and lldb-22 -c show of them.</summary>
public sealed class CoreFileAgreementTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases => [.. CoreCatalog.Ids];

    [Theory]
    [MemberData(nameof(Cases))]
    public void ThreadsAndRegistersAgreeWithGdb(string id)
    {
        var dump = CoreCatalog.Produce(id);
        using var core = CoreFile.Open(dump.Path);
        var gdb = CoreCatalog.Gdb(dump.Binary.Program, dump.Path);
        output.WriteLine($"{id}: {core.Threads.Count} threads, signal {core.Signal}");
        Assert.Equal(gdb.Registers.Keys.Order(), core.Threads.Select(t => t.ThreadId).Order());
        foreach (var thread in core.Threads)
        {
            var ours = thread.Registers.Named.ToDictionary(r => r.Name, r => r.Value);
            foreach (var name in GdbCoreView.RegisterNames)
                Assert.True(ours[name] == gdb.Registers[thread.ThreadId][name],
                    $"thread {thread.ThreadId} {name}: ours 0x{ours[name]:x}, gdb 0x{gdb.Registers[thread.ThreadId][name]:x}");
            var xmm = Enumerable.Range(0, 16).Select(i => Convert.ToHexStringLower(thread.GetXmm(i)!.Reverse().ToArray())).ToList();
            Assert.Equal(gdb.Xmm[thread.ThreadId], xmm);
            // gdb 13 reads the XSAVE area of its own cores, not the kernel's (whose layout note it does not know).
            if (gdb.YmmUpper.TryGetValue(thread.ThreadId, out var ymm))
                Assert.Equal(ymm, Enumerable.Range(0, 16).Select(i => Convert.ToHexStringLower(thread.GetYmmUpper(i)!.Reverse().ToArray())));
            else
                Assert.Equal(CoreProducer.Kernel, dump.Producer);
        }
        if (id.StartsWith("threads32", StringComparison.Ordinal))
            Assert.Equal(33, core.Threads.Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ThreadsRegistersAndSignalAgreeWithLldb(string id)
    {
        var dump = CoreCatalog.Produce(id);
        using var core = CoreFile.Open(dump.Path);
        var lldb = CoreCatalog.Lldb(dump.Binary.Program, dump.Path, core.Threads.Count);
        Assert.Equal(lldb.Threads.Select(t => t.ThreadId).Order(), core.Threads.Select(t => t.ThreadId).Order());
        foreach (var thread in core.Threads)
        {
            var ours = thread.Registers.Named.ToDictionary(r => r.Name == "eflags" ? "rflags" : r.Name, r => r.Value);
            Assert.True(lldb.Registers.TryGetValue(thread.ThreadId, out var theirs), $"lldb printed no registers of thread {thread.ThreadId}:\n{lldb.Output}");
            foreach (var name in LldbCoreView.RegisterNames)
                Assert.True(ours[name] == theirs[name], $"thread {thread.ThreadId} {name}: ours 0x{ours[name]:x}, lldb 0x{theirs[name]:x}");
        }
        // lldb gives the stop reason to the thread that took the signal: the signal's name, or for a verbose trap the
        // trap's message, which its frame recognizer reads from the __clang_trap_msg frame.
        var signalled = lldb.Threads.Single(t => t.ThreadId == core.SignalledThread.ThreadId);
        output.WriteLine($"{id}: lldb stop reason of {signalled.ThreadId}: {signalled.StopReason}");
        Assert.True(signalled.StopReason.Contains(SignalName(core.Signal), StringComparison.Ordinal)
            || (core.Signal == 4 && signalled.Line.Contains("__clang_trap_msg$", StringComparison.Ordinal)), signalled.Line);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SignalAgreesWithGdb(string id)
    {
        var dump = CoreCatalog.Produce(id);
        using var core = CoreFile.Open(dump.Path);
        var gdb = CoreCatalog.Gdb(dump.Binary.Program, dump.Path);
        var info = Assert.IsType<ElfSigInfo>(core.SignalInfo);
        Assert.Equal(gdb.SignalInfo.Signal, info.SignalNumber);
        Assert.Equal(gdb.SignalInfo.Code, info.Code);
        Assert.Equal(gdb.SignalInfo.Address, info.Address);
        int expected = dump.Binary.Name switch { "assert_fail" or "rust_abort" => 6, "null_field" => 11, _ => 4 };
        Assert.Equal(expected, core.Signal);
        if (expected != 6)
            Assert.True(info.IsFault);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MappedFilesAndAuxvAgreeWithGdb(string id)
    {
        var dump = CoreCatalog.Produce(id);
        using var core = CoreFile.Open(dump.Path);
        var gdb = CoreCatalog.Gdb(dump.Binary.Program, dump.Path);
        Assert.NotEmpty(gdb.Mappings);
        Assert.Equal(gdb.Mappings, core.MappedFiles.Select(f => (f.Start, f.End, f.FileOffset, f.Path)));
        Assert.NotEmpty(gdb.Auxv);
        Assert.Equal(gdb.Auxv, core.Auxv.Select(e => (e.Type, e.Value)));
        // The kernel counts NT_FILE offsets in pages, gdb in bytes (a page size of 1).
        Assert.Equal(dump.Producer == CoreProducer.Kernel ? 4096UL : 1UL, core.PageSize);
        Assert.Equal(dump.Binary.Program, core.MainProgram?.Path);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BuildIdsFromCoreMemoryAgreeWithLldbAndTheFilesOnDisk(string id)
    {
        var dump = CoreCatalog.Produce(id);
        using var core = CoreFile.Open(dump.Path);
        var lldb = CoreCatalog.Lldb(dump.Binary.Program, dump.Path, core.Threads.Count);
        var withIds = core.Modules.Where(m => m.BuildIdHex != null).ToList();
        foreach (var m in core.Modules)
            output.WriteLine($"{m} main={m.IsMainProgram} loaded={m.IsLoaded} vdso={m.IsVdso} elf={m.HasElfHeader}");
        Assert.Contains(withIds, m => m.IsMainProgram && m.IsLoaded);
        Assert.Contains(withIds, m => m.Path.EndsWith("/libc.so.6", StringComparison.Ordinal) && m.IsLoaded);
        if (dump.Binary.SharedLibrary is { } lib)
            Assert.Contains(withIds, m => m.Path == lib && m.IsLoaded);
        foreach (var m in withIds.Where(m => !m.IsVdso))
        {
            using var onDisk = ElfFile.Open(m.Path);
            Assert.Equal(onDisk.BuildIdHex, m.BuildIdHex);
        }
        // The loaded modules are the ones lldb lists (it follows the same link map), at the same addresses, with the same ids.
        Assert.Equal(lldb.Modules.Select(l => (l.Address, l.Uuid)).Order(), core.Modules.Where(m => m.IsLoaded).Select(m => (m.Start, m.BuildIdHex!)).Order());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CodeTheCoreLeftOutIsReadFromTheMappedFile(string id)
    {
        var dump = CoreCatalog.Produce(id);
        using var core = CoreFile.Open(dump.Path);
        int backfilled = 0;
        foreach (var thread in core.Threads)
        {
            ulong pc = thread.Registers.Rip;
            var mapping = core.MappedFiles.First(f => f.Contains(pc));
            var expected = new byte[16];
            using (var file = File.OpenRead(mapping.Path))
            {
                file.Position = (long)(mapping.FileOffset + (pc - mapping.Start));
                file.ReadExactly(expected);
            }
            var read = new byte[16];
            Assert.Equal(16, core.Memory.Read(pc, read));
            Assert.Equal(expected, read);
            if (core.Memory.FindSegment(pc) is not { } segment || pc - segment.Address >= segment.FileSize)
            {
                backfilled++;
                Assert.Equal(0, core.Memory.ReadDumped(pc, read));
            }
        }
        // The kernel leaves every unwritten code page out (coredump_filter); gdb leaves out those of shared libraries.
        if (dump.Producer == CoreProducer.Kernel)
            Assert.Equal(core.Threads.Count, backfilled);
        else
            Assert.NotEqual(0, backfilled);
        Assert.Empty(core.Warnings);
    }

    private static string SignalName(int signal) => signal switch { 4 => "SIGILL", 6 => "SIGABRT", 11 => "SIGSEGV", _ => $"signal {signal}" };
}
