using TrapDebugger.Native.Breakpoints;
using TrapDebugger.Native.Errors;

namespace TrapDebugger.Native;

// int3 bookkeeping: which addresses are patched, with which original bytes.
public sealed partial class TraceeProcess
{
    /// <summary>Raised (on the thread that made the change) when an address gains a breakpoint site or its original byte changes (the byte),
    /// or loses it (-1): the guardian mirrors the sites so the debugger's own reads can mask them.</summary>
    internal event Action<ulong, int>? SiteChanged;

    /// <summary>Every address that holds a breakpoint site, with the byte the int3 replaced.</summary>
    internal IReadOnlyList<KeyValuePair<ulong, byte>> Sites()
    {
        lock (sitesGate) return sites.Values.Select(s => KeyValuePair.Create(s.Address, s.Original)).ToList();
    }

    private void NoteSite(ulong address, int original) => SiteChanged?.Invoke(address, original);

    private BreakpointSite AcquireSite(ulong address)
    {
        lock (sitesGate)
        {
            if (sites.TryGetValue(address, out var site)) return site;
            Span<byte> original = stackalloc byte[1];
            if (memory.Read(address, original) != 1)
                throw new TraceException($"cannot insert a breakpoint at 0x{address:x}: no mapped memory there; check the address against /proc/{Pid}/maps");
            if (memory.Write(address, [0xCC]) != 1)
                throw new TraceException($"cannot insert a breakpoint at 0x{address:x}: the kernel refused the write to /proc/{Pid}/mem");
            site = new BreakpointSite(address, original[0]);
            sites[address] = site;
            moribund.Remove(address);
            NoteSite(address, original[0]);
            return site;
        }
    }

    private void ReleaseSite(BreakpointSite site)
    {
        lock (sitesGate)
        {
            if (site.InUse) return;
            memory.Write(site.Address, [site.Original]);
            sites.Remove(site.Address);
            // A thread may already have trapped on it without the tracer having seen the stop yet.
            moribund.Add(site.Address);
            NoteSite(site.Address, -1);
        }
    }

    private BreakpointSite? SiteAt(ulong address)
    {
        lock (sitesGate) return sites.GetValueOrDefault(address);
    }

    private void MaskBreakpoints(ulong address, Span<byte> buffer)
    {
        if (buffer.IsEmpty) return;
        lock (sitesGate)
        {
            foreach (var site in sites.Values)
                if (site.Address >= address && site.Address - address < (ulong)buffer.Length)
                    buffer[(int)(site.Address - address)] = site.Original;
        }
    }

    private void RemoveAllSites()
    {
        lock (sitesGate)
        {
            foreach (var site in sites.Values)
            {
                memory.Write(site.Address, [site.Original]);
                NoteSite(site.Address, -1);
            }
            sites.Clear();
        }
    }
}
