using TrapDebugger.Native.Breakpoints;
using TrapDebugger.Native.Errors;

namespace TrapDebugger.Native;

// int3 bookkeeping: which addresses are patched, with which original bytes.
public sealed partial class TraceeProcess
{
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
            foreach (var site in sites.Values) memory.Write(site.Address, [site.Original]);
            sites.Clear();
        }
    }
}
