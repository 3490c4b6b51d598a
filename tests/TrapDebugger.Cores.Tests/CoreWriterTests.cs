using TrapDebugger.Elf;
using TrapDebugger.Elf.Core;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cores.Tests;

/// <summary>Cores written with LibObjectFile reopen in our reader, in gdb -c and in lldb-22 -c with the same threads, registers and backtraces as the cores they were made from.</summary>
public sealed class CoreWriterTests(WrittenCores written, ITestOutputHelper output) : IClassFixture<WrittenCores>
{
    public static TheoryData<string> Cases => [.. CoreCatalog.Ids];

    [Theory]
    [MemberData(nameof(Cases))]
    public void WrittenCoreReopensInOurReaderWithTheSameProcess(string id)
    {
        var (path, result) = written.Get(id);
        using var source = CoreFile.Open(CoreCatalog.Produce(id).Path);
        using var copy = CoreFile.Open(path);
        output.WriteLine($"{id}: {result.Threads} threads, {result.IncludedBytes >> 10} KiB written, {result.OmittedBytes >> 10} KiB left out, {result.UnreadableBytes} unreadable");
        Assert.Equal(source.Threads.Count, result.Threads);
        Assert.Equal(source.Threads.Select(t => t.Status), copy.Threads.Select(t => t.Status));
        Assert.Equal(source.Threads.Select(t => t.FloatingPoint.ToArray()), copy.Threads.Select(t => t.FloatingPoint.ToArray()));
        Assert.Equal(source.Threads.Select(t => t.ExtendedState.ToArray()), copy.Threads.Select(t => t.ExtendedState.ToArray()));
        Assert.Equal(source.Threads.Select(t => t.SignalInfo?.Bytes), copy.Threads.Select(t => t.SignalInfo?.Bytes));
        Assert.Equal(source.ProcessInfo, copy.ProcessInfo);
        Assert.Equal(source.Auxv, copy.Auxv);
        Assert.Equal(source.MappedFiles, copy.MappedFiles);
        Assert.Equal(source.Signal, copy.Signal);
        Assert.Equal(source.Modules.Select(m => (m.Path, m.Start, m.BuildIdHex, m.IsMainProgram)), copy.Modules.Select(m => (m.Path, m.Start, m.BuildIdHex, m.IsMainProgram)));
        Assert.Equal(0UL, result.UnreadableBytes);
        Assert.Empty(copy.Warnings);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void WrittenCoreHoldsStacksDataElfHeadersAndCodeAroundEachPc(string id)
    {
        var (path, _) = written.Get(id);
        using var source = CoreFile.Open(CoreCatalog.Produce(id).Path);
        using var copy = CoreFile.Open(path);
        // Every byte the copy holds is the source process's byte at that address.
        foreach (var segment in copy.Memory.Segments.Where(s => s.FileSize > 0))
        {
            foreach (ulong at in new[] { segment.Address, segment.Address + segment.FileSize / 2, segment.Address + segment.FileSize - 256 })
                Assert.True(Read(source.Memory, at, 256).SequenceEqual(ReadDumped(copy.Memory, at, 256)),
                    $"0x{at:x} in {segment}: {copy.MappedFiles.FirstOrDefault(f => f.Contains(at))}, source segment {source.Memory.FindSegment(at)}");
        }
        foreach (var t in copy.Threads)
        {
            // The stack above rsp (writable memory) and the code at rip are in the copy itself.
            Assert.Equal(Read(source.Memory, t.Registers.Rsp, 512), ReadDumped(copy.Memory, t.Registers.Rsp, 512));
            Assert.Equal(Read(source.Memory, t.Registers.Rip - 64, 128), ReadDumped(copy.Memory, t.Registers.Rip - 64, 128));
        }
        foreach (var m in copy.Modules.Where(m => m.HasElfHeader || source.Modules.Single(s => s.Path == m.Path).HasElfHeader))
            Assert.True(m.BuildIdHex != null && ReadDumped(copy.Memory, m.Start, 64).Length == 64, $"{m}: the ELF header page is missing");
        // Read-only file mappings away from every pc are left to the files on disk.
        var pcs = copy.Threads.Select(t => t.Registers.Rip).ToList();
        var libcCode = copy.MappedFiles.Where(f => f.Path.EndsWith("/libc.so.6", StringComparison.Ordinal) && f.FileOffset != 0).MaxBy(f => f.Size)!;
        ulong far = Enumerable.Range(0, (int)(libcCode.Size / 4096)).Select(p => libcCode.Start + (ulong)p * 4096)
            .First(a => pcs.All(pc => (pc > a ? pc - a : a - pc) > 64 * 1024));
        Assert.Empty(ReadDumped(copy.Memory, far, 16));
        Assert.Equal(Read(source.Memory, far, 16), Read(copy.Memory, far, 16));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GdbShowsTheSameThreadsRegistersAndBacktracesAsTheSourceCore(string id)
    {
        var dump = CoreCatalog.Produce(id);
        var (path, _) = written.Get(id);
        var original = CoreCatalog.Gdb(dump.Binary.Program, dump.Path);
        var copy = CoreCatalog.Gdb(dump.Binary.Program, path);
        Assert.Equal(original.Registers, copy.Registers);
        Assert.Equal(original.Xmm, copy.Xmm);
        Assert.Equal(original.SignalInfo, copy.SignalInfo);
        Assert.NotEmpty(original.Backtraces);
        foreach (var (tid, frames) in original.Backtraces)
        {
            output.WriteLine($"{tid}: {string.Join(" < ", frames)}");
            Assert.Equal(frames, copy.Backtraces.GetValueOrDefault(tid));
        }
        Assert.Equal(original.Backtraces.Keys.Order(), copy.Backtraces.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LldbShowsTheSameThreadsRegistersAndBacktracesAsTheSourceCore(string id)
    {
        var dump = CoreCatalog.Produce(id);
        var (path, result) = written.Get(id);
        var original = CoreCatalog.Lldb(dump.Binary.Program, dump.Path, result.Threads);
        var copy = CoreCatalog.Lldb(dump.Binary.Program, path, result.Threads);
        Assert.Equal(original.Threads.Select(t => (t.ThreadId, t.StopReason)), copy.Threads.Select(t => (t.ThreadId, t.StopReason)));
        Assert.Equal(original.Registers, copy.Registers);
        Assert.Equal(original.Modules.Select(m => (m.Address, m.Uuid)).Order(), copy.Modules.Select(m => (m.Address, m.Uuid)).Order());
        Assert.NotEmpty(original.Backtraces);
        foreach (var (tid, frames) in original.Backtraces)
        {
            output.WriteLine($"{tid}: {string.Join(" < ", frames)}");
            Assert.True(frames.SequenceEqual(copy.Backtraces.GetValueOrDefault(tid) ?? []),
                $"thread {tid}: the source core shows {string.Join(" < ", frames)}, the written one {string.Join(" < ", copy.Backtraces.GetValueOrDefault(tid) ?? [])}\n{copy.Output}");
        }
    }

    private static byte[] Read(IByteSource memory, ulong address, int count)
    {
        var buffer = new byte[count];
        return buffer[..memory.Read(address, buffer)];
    }

    private static byte[] ReadDumped(CoreMemory memory, ulong address, int count)
    {
        var buffer = new byte[count];
        return buffer[..memory.ReadDumped(address, buffer)];
    }
}
