using Microsoft.Win32.SafeHandles;
using TrapDebugger.Native.Interop;

namespace TrapDebugger.Native.Memory;

/// <summary>Raw access to a process's memory: process_vm_readv first, /proc/pid/mem for what it cannot read, and
/// /proc/pid/mem for writes (process_vm_writev cannot write read-only text pages; the mem file writes through them).</summary>
/// <remarks>Thread-safe; neither path needs the tracer thread. Breakpoint masking happens a layer above.</remarks>
internal sealed unsafe class ProcessMemory : IDisposable
{
    private readonly int pid;
    private readonly object gate = new();
    private SafeFileHandle? mem;

    public ProcessMemory(int pid) => this.pid = pid;

    /// <summary>Reads with process_vm_readv, then the mem file for the part it could not read.</summary>
    public int Read(ulong address, Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        var done = VmRead(address, buffer);
        if (done == buffer.Length) return done;
        // process_vm_readv stops at the first page it cannot read (PROT_NONE, guard pages); the mem file reads with
        // FOLL_FORCE, as a debugger must.
        var more = MemRead(address + (ulong)done, buffer[done..]);
        return done + Math.Max(0, more);
    }

    /// <summary>Writes through /proc/pid/mem (works on read-only text); returns how many bytes were written.</summary>
    public int Write(ulong address, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return 0;
        try
        {
            var handle = Handle();
            if (address > long.MaxValue) return 0;
            RandomAccess.Write(handle, data, (long)address);
            return data.Length;
        }
        catch (IOException) { return VmWrite(address, data); }
        catch (UnauthorizedAccessException) { return VmWrite(address, data); }
    }

    /// <summary>Writes as the program itself would, through its page protections (process_vm_writev): a read-only or
    /// unmapped page takes nothing. Returns how many bytes were written.</summary>
    public int WriteAsProgram(ulong address, ReadOnlySpan<byte> data) => data.IsEmpty ? 0 : VmWrite(address, data);

    /// <summary>Forgets the mem file, which refers to the old address space after an exec.</summary>
    public void Reopen()
    {
        lock (gate)
        {
            mem?.Dispose();
            mem = null;
        }
    }

    public void Dispose() => Reopen();

    private int VmRead(ulong address, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var local = new IoVec { Base = (nint)p, Length = (nuint)buffer.Length };
            var remote = new IoVec { Base = (nint)address, Length = (nuint)buffer.Length };
            var n = LibC.ProcessVmReadv(pid, &local, 1, &remote, 1, 0);
            return n < 0 ? 0 : (int)n;
        }
    }

    private int VmWrite(ulong address, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var local = new IoVec { Base = (nint)p, Length = (nuint)data.Length };
            var remote = new IoVec { Base = (nint)address, Length = (nuint)data.Length };
            var n = LibC.ProcessVmWritev(pid, &local, 1, &remote, 1, 0);
            return n < 0 ? 0 : (int)n;
        }
    }

    private int MemRead(ulong address, Span<byte> buffer)
    {
        if (address > long.MaxValue) return 0;
        try
        {
            var handle = Handle();
            var total = 0;
            while (total < buffer.Length)
            {
                int n;
                try { n = RandomAccess.Read(handle, buffer[total..], (long)address + total); }
                catch (IOException) { n = 0; }
                if (n <= 0)
                {
                    // A read spanning into an unreadable page fails whole; retry page by page up to that page.
                    var pageEnd = (int)Math.Min((ulong)buffer.Length - (ulong)total, 4096 - ((address + (ulong)total) & 4095));
                    if (pageEnd == buffer.Length - total) break;
                    try { n = RandomAccess.Read(handle, buffer.Slice(total, pageEnd), (long)address + total); }
                    catch (IOException) { n = 0; }
                    if (n <= 0) break;
                }
                total += n;
            }
            return total;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }

    private SafeFileHandle Handle()
    {
        lock (gate)
            return mem ??= File.OpenHandle($"/proc/{pid}/mem", FileMode.Open, FileAccess.ReadWrite);
    }
}
