using TrapDebugger.Native.Breakpoints;
using TrapDebugger.Native.Errors;

namespace TrapDebugger.Native;

// int3 bookkeeping: which addresses are breakpoint sites, with which original bytes, and whether their int3 is in memory.
// The bytes are in memory only while threads run: every all-stop takes them out and every resume of the whole process
// puts them back, in one batch each, so a stopped program holds its own code and a debugger that dies while it is
// stopped leaves nothing behind.
public sealed partial class TraceeProcess
{
    private const byte Int3 = 0xCC;

    /// <summary>Raised (on the thread that made the change) when an address becomes a breakpoint site or its original byte
    /// changes (the byte), or stops being one (-1): a guardian mirrors the sites so that the debugger's own reads of a
    /// running process mask them as the tracer's reads do.</summary>
    internal event Action<ulong, int>? SiteChanged;

    /// <summary>Every address that holds a breakpoint site, with the byte its int3 replaces.</summary>
    internal IReadOnlyList<KeyValuePair<ulong, byte>> Sites()
    {
        lock (sitesGate) return sites.Values.Select(s => KeyValuePair.Create(s.Address, s.Original)).ToList();
    }

    private void NoteSite(ulong address, int original) => SiteChanged?.Invoke(address, original);

    /// <summary>The one place where the tracer changes the program's code for breakpoints: every int3 put in and every
    /// original byte put back passes through here, as (address, new byte, original byte).</summary>
    /// <remarks>Writes made while every thread is stopped are batched: those within one page become one write of the span
    /// between them, read first so the bytes in between are written back unchanged. A write while threads run is one byte,
    /// so no running thread can see a half-written span. Call with <see cref="sitesGate"/> held. Returns false when a
    /// write failed (the page is gone).</remarks>
    private bool WriteSiteBytes(List<SiteByte> writes, bool everyThreadStopped)
    {
        var written = true;
        if (writes.Count == 0) return written;
        if (!everyThreadStopped || writes.Count == 1)
        {
            foreach (var w in writes) written &= memory.Write(w.Address, [w.Value]) == 1;
            return written;
        }
        writes.Sort((a, b) => a.Address.CompareTo(b.Address));
        Span<byte> span = stackalloc byte[4096];
        var first = 0;
        while (first < writes.Count)
        {
            var page = writes[first].Address >> 12;
            var last = first;
            while (last + 1 < writes.Count && writes[last + 1].Address >> 12 == page) last++;
            var start = writes[first].Address;
            var length = (int)(writes[last].Address - start) + 1;
            var bytes = span[..length];
            if (last == first || memory.Read(start, bytes) != length)
            {
                for (var i = first; i <= last; i++) written &= memory.Write(writes[i].Address, [writes[i].Value]) == 1;
            }
            else
            {
                for (var i = first; i <= last; i++) bytes[(int)(writes[i].Address - start)] = writes[i].Value;
                written &= memory.Write(start, bytes) == length;
            }
            first = last + 1;
        }
        return written;
    }

    /// <summary>Puts the int3 of every site back before the threads run (one batch).</summary>
    private void InsertSiteBytes()
    {
        lock (sitesGate)
        {
            // A vfork child runs in this memory: the bytes go in when it has left (VforkWindow).
            if (insertedSites == sites.Count || vforkWindows > 0) return;
            var writes = new List<SiteByte>();
            foreach (var site in sites.Values)
            {
                if (site.Inserted) continue;
                writes.Add(new SiteByte(site.Address, Int3, site.Original));
                site.Inserted = true;
            }
            insertedSites = sites.Count;
            WriteSiteBytes(writes, everyThreadStopped: true);
        }
    }

    /// <summary>Takes every int3 out of memory once every thread is stopped (one batch).</summary>
    private void WithdrawSiteBytes()
    {
        lock (sitesGate)
        {
            if (insertedSites == 0) return;
            var writes = new List<SiteByte>();
            foreach (var site in sites.Values)
            {
                if (!site.Inserted) continue;
                writes.Add(new SiteByte(site.Address, site.Original, site.Original));
                site.Inserted = false;
            }
            insertedSites = 0;
            WriteSiteBytes(writes, everyThreadStopped: true);
        }
    }

    private BreakpointSite AcquireSite(ulong address)
    {
        lock (sitesGate)
        {
            if (sites.TryGetValue(address, out var site)) return site;
            Span<byte> original = stackalloc byte[1];
            if (memory.Read(address, original) != 1)
                throw new TraceException($"cannot insert a breakpoint at 0x{address:x}: no mapped memory there; check the address against /proc/{Pid}/maps");
            site = new BreakpointSite(address, original[0]);
            // While every thread is stopped the byte goes in at the next resume, with the others (or when no vfork child
            // runs in this memory any more).
            if (state != RunState.Stopped && vforkWindows == 0)
            {
                if (!WriteSiteBytes([new SiteByte(address, Int3, original[0])], everyThreadStopped: false))
                    throw new TraceException($"cannot insert a breakpoint at 0x{address:x}: the kernel refused the write to /proc/{Pid}/mem");
                site.Inserted = true;
                insertedSites++;
            }
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
            sites.Remove(site.Address);
            NoteSite(site.Address, -1);
            if (!site.Inserted) return;
            WriteSiteBytes([new SiteByte(site.Address, site.Original, site.Original)], everyThreadStopped: false);
            site.Inserted = false;
            insertedSites--;
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
            if (insertedSites == 0) return;
            foreach (var site in sites.Values)
                if (site.Inserted && site.Address >= address && site.Address - address < (ulong)buffer.Length)
                    buffer[(int)(site.Address - address)] = site.Original;
        }
    }

    /// <summary>Forgets every site, putting back the bytes still in memory (before a detach).</summary>
    private void RemoveAllSites()
    {
        lock (sitesGate)
        {
            WithdrawSiteBytes();
            foreach (var address in sites.Keys) NoteSite(address, -1);
            sites.Clear();
        }
    }
}
