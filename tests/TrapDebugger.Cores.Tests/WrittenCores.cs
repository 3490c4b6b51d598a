using System.Collections.Concurrent;
using TrapDebugger.Elf.Core;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cores.Tests;

/// <summary>Cores written by <see cref="CoreWriter"/> from the real cores of <see cref="CoreCatalog"/>, once per case, deleted with the fixture.</summary>
/// <remarks>The source core is read with <see cref="CoreFile"/>, its mappings rebuilt from PT_LOAD and NT_FILE, the memory
/// chosen by <see cref="CoreMemorySelection"/>, and the result written; so every byte of a written core is one our
/// reader got from a core the kernel or gdb wrote.</remarks>
public sealed class WrittenCores : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("trapdbg-written-cores-").FullName;
    private readonly ConcurrentDictionary<string, Lazy<(string Path, CoreWriteResult Result)>> _written = new(StringComparer.Ordinal);

    /// <summary>The written core of catalog case <paramref name="id"/>.</summary>
    public (string Path, CoreWriteResult Result) Get(string id) =>
        _written.GetOrAdd(id, _ => new(() =>
        {
            using var source = CoreFile.Open(CoreCatalog.Produce(id).Path);
            var path = Path.Combine(_folder, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)))[..12] + ".core");
            return (path, CoreWriter.Write(Describe(source, new CoreMemorySelection()), path));
        })).Value;

    /// <summary>Describes the process a core holds as the writer's input.</summary>
    public static CoreDescription Describe(CoreFile core, CoreMemorySelection selection)
    {
        var vdso = core.GetAuxv(AuxVector.AT_SYSINFO_EHDR);
        var files = core.MappedFiles.ToDictionary(f => f.Start);
        var mappings = core.Memory.Segments.Select(s =>
        {
            var file = files.GetValueOrDefault(s.Address);
            string path = file?.Path ?? (s.Address == vdso ? "[vdso]" : "");
            // The kernel dumps a whole file mapping only when the process changed it (or it is one ELF header page).
            bool changed = file != null && s.FileSize > 0 && s.FileSize == s.MemorySize;
            // Memory the source core does not hold and no file backs (the kernel skips VM_DONTDUMP and I/O mappings)
            // cannot be read from it: the copy records it as the kernel did, without bytes.
            bool readable = (s.Flags & 4) != 0 && (s.FileSize > 0 || file != null);
            return new ProcessMapping(s.Address, s.End, readable, s.IsWritable, s.IsExecutable, false, file?.FileOffset ?? 0, path, changed);
        }).ToList();
        // gdb leaves read-only file mappings out of its cores altogether: NT_FILE still names them.
        foreach (var f in core.MappedFiles.Where(f => core.Memory.FindSegment(f.Start) == null))
            mappings.Add(new ProcessMapping(f.Start, f.End, true, false, false, false, f.FileOffset, f.Path));
        return new CoreDescription
        {
            Process = core.ProcessInfo ?? throw new InvalidOperationException($"{core.Name} has no NT_PRPSINFO"),
            Threads = [.. core.Threads.Select(t => new CoreThreadState(t.Status, NullIfEmpty(t.FloatingPoint), NullIfEmpty(t.ExtendedState), t.SignalInfo))],
            Auxv = core.Auxv,
            MappedFiles = core.MappedFiles,
            Regions = selection.Select(mappings, core.Threads.Select(t => t.Registers.Rip), core.Memory),
            Memory = core.Memory,
        };
    }

    private static byte[]? NullIfEmpty(ReadOnlyMemory<byte> bytes) => bytes.IsEmpty ? null : bytes.ToArray();

    /// <inheritdoc />
    public void Dispose()
    {
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}
