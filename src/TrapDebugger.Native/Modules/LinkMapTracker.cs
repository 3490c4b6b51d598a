using System.Buffers.Binary;
using System.Text;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Proc;

namespace TrapDebugger.Native.Modules;

/// <summary>Follows the dynamic loader's list of shared objects: AT_PHDR → PT_DYNAMIC → DT_DEBUG → struct r_debug →
/// the link_map chain, refreshed each time the loader calls r_brk.</summary>
/// <remarks>Programs without DT_DEBUG (static ones) fall back to the file mappings in /proc/pid/maps.</remarks>
internal sealed class LinkMapTracker
{
    private const uint PT_DYNAMIC = 2, PT_PHDR = 6;
    private const long DT_NULL = 0, DT_DEBUG = 21;
    private const int MaxModules = 4096, MaxProgramHeaders = 512, MaxDynamicEntries = 4096, MaxPath = 4096;

    private readonly IByteSource memory;
    private readonly int pid;
    private readonly ulong rDebug;
    private List<LoadedModule> current = [];

    private LinkMapTracker(IByteSource memory, int pid, ulong rDebug, ulong breakAddress)
    {
        this.memory = memory;
        this.pid = pid;
        this.rDebug = rDebug;
        BreakAddress = breakAddress;
    }

    /// <summary>r_brk: the function the loader calls around every change to the list (0 without r_debug).</summary>
    public ulong BreakAddress { get; }

    /// <summary>The modules found by the last refresh.</summary>
    public IReadOnlyList<LoadedModule> Modules => current;

    /// <summary>Locates r_debug through the auxiliary vector; null when the program has no dynamic section.</summary>
    public static LinkMapTracker? Create(IByteSource memory, AuxVector auxv, int pid)
    {
        if (auxv[AuxVector.AT_PHDR] is not { } phdr || auxv[AuxVector.AT_PHNUM] is not { } phnum) return null;
        var phent = auxv[AuxVector.AT_PHENT] ?? 56;
        if (phnum > MaxProgramHeaders || phent < 56 || phent > 256)
            throw new TraceException($"process {pid} reports {phnum} program headers of {phent} bytes, which is not a valid ELF64 program");
        ulong? dynamicVaddr = null, phdrVaddr = null;
        Span<byte> ph = stackalloc byte[56];
        for (ulong i = 0; i < phnum; i++)
        {
            if (memory.Read(phdr + i * phent, ph) != 56) return null;
            var type = BinaryPrimitives.ReadUInt32LittleEndian(ph);         // p_type
            var vaddr = BinaryPrimitives.ReadUInt64LittleEndian(ph[16..]);  // p_vaddr
            if (type == PT_DYNAMIC) dynamicVaddr = vaddr;
            else if (type == PT_PHDR) phdrVaddr = vaddr;
        }
        if (dynamicVaddr is not { } dyn) return new LinkMapTracker(memory, pid, 0, 0);
        var bias = phdrVaddr is { } p ? phdr - p : 0;
        Span<byte> entry = stackalloc byte[16];
        ulong rDebug = 0;
        for (ulong i = 0; i < MaxDynamicEntries; i++)
        {
            if (memory.Read(bias + dyn + i * 16, entry) != 16) break;
            var tag = BinaryPrimitives.ReadInt64LittleEndian(entry);     // d_tag
            var val = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]); // d_val
            if (tag == DT_NULL) break;
            if (tag == DT_DEBUG) { rDebug = val; break; }
        }
        if (rDebug == 0) return new LinkMapTracker(memory, pid, 0, 0);
        Span<byte> rd = stackalloc byte[40];
        if (memory.Read(rDebug, rd) != 40) return new LinkMapTracker(memory, pid, 0, 0);
        var brk = BinaryPrimitives.ReadUInt64LittleEndian(rd[16..]);     // r_brk
        return new LinkMapTracker(memory, pid, rDebug, brk);
    }

    /// <summary>Re-reads the list and returns load and unload events for what changed.</summary>
    public IReadOnlyList<TargetEvent> Refresh()
    {
        List<LoadedModule> now;
        if (rDebug != 0)
        {
            Span<byte> rd = stackalloc byte[40];
            if (memory.Read(rDebug, rd) != 40) return [];
            var state = BinaryPrimitives.ReadInt32LittleEndian(rd[24..]);  // r_state: RT_CONSISTENT = 0
            if (state != 0) return [];
            now = ReadLinkMap(BinaryPrimitives.ReadUInt64LittleEndian(rd[8..])); // r_map
        }
        else
            now = FromMaps();
        var events = new List<TargetEvent>();
        var before = current.ToHashSet();
        var after = now.ToHashSet();
        foreach (var m in current) if (!after.Contains(m)) events.Add(new ModuleUnloaded(m.Path, m.LoadBias));
        foreach (var m in now) if (!before.Contains(m)) events.Add(new ModuleLoaded(m.Path, m.LoadBias));
        current = now;
        return events;
    }

    private List<LoadedModule> ReadLinkMap(ulong map)
    {
        var result = new List<LoadedModule>();
        Span<byte> lm = stackalloc byte[40];
        var seen = new HashSet<ulong>();
        while (map != 0 && result.Count < MaxModules && seen.Add(map))
        {
            if (memory.Read(map, lm) != 40) break;
            var addr = BinaryPrimitives.ReadUInt64LittleEndian(lm);        // l_addr
            var name = BinaryPrimitives.ReadUInt64LittleEndian(lm[8..]);   // l_name
            var ld = BinaryPrimitives.ReadUInt64LittleEndian(lm[16..]);    // l_ld
            var path = ReadString(name);
            // The main program's entry has an empty name; it is not a shared object.
            if (path.Length > 0) result.Add(new LoadedModule(path, addr, ld));
            map = BinaryPrimitives.ReadUInt64LittleEndian(lm[24..]);       // l_next
        }
        return result;
    }

    private string ReadString(ulong address)
    {
        if (address == 0) return "";
        var buffer = new byte[256];
        var text = new List<byte>();
        while (text.Count < MaxPath)
        {
            var n = memory.Read(address + (ulong)text.Count, buffer);
            if (n == 0) break;
            var end = Array.IndexOf(buffer, (byte)0, 0, n);
            if (end >= 0) { text.AddRange(buffer.AsSpan(0, end).ToArray()); break; }
            text.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        return Encoding.UTF8.GetString(text.ToArray());
    }

    private List<LoadedModule> FromMaps()
    {
        var exe = ProcFs.Executable(pid);
        return ProcFs.Maps(pid)
            .Where(r => r.Offset == 0 && r.Inode != 0 && r.Path.StartsWith('/') && r.Path != exe)
            .GroupBy(r => r.Path).Select(g => new LoadedModule(g.Key, g.Min(r => r.Start), 0)).ToList();
    }
}
