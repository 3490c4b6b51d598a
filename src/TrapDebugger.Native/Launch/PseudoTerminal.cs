using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Interop;

namespace TrapDebugger.Native.Launch;

/// <summary>A pseudo-terminal whose slave a launched program writes to (give <see cref="SlavePath"/> as a stream's
/// <see cref="StdioMode.File"/> path) and whose master the debugger reads: the program sees a terminal, so its C library
/// flushes stdout at every newline instead of when a buffer fills, and what it printed before a crash is not lost.</summary>
/// <remarks>
/// The slave is put in raw mode (no "\n" to "\r\n" translation, no echo) so the bytes read are the bytes written, and
/// given a window size so programs that lay out their output by columns see a sensible width. The debugger keeps a
/// slave descriptor of its own open, so the master never reports a hang-up while output is still buffered: reads end
/// only when the terminal is disposed. Reads are non-blocking; a non-blocking read also flushes what the kernel still
/// holds between the two sides, so a read that finds nothing after the program stopped means nothing is left.
/// </remarks>
public sealed unsafe class PseudoTerminal : IDisposable
{
    private const int O_RDWR = 2, O_NOCTTY = 0x100, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    private const int F_GETFL = 3, F_SETFL = 4, TCSANOW = 0, EAGAIN = 11, EINTR = 4;
    private const ulong TIOCSWINSZ = 0x5414;
    private const short POLLIN = 1;

    private readonly SafeFileHandle master;
    private readonly SafeFileHandle slave;
    // A pipe whose read end a waiter polls beside the master: a byte written to it ends every wait (StopWaiting).
    private readonly SafeFileHandle wakeRead, wakeWrite;

    private PseudoTerminal(SafeFileHandle master, SafeFileHandle slave, string slavePath, SafeFileHandle wakeRead, SafeFileHandle wakeWrite)
    {
        this.master = master;
        this.slave = slave;
        this.wakeRead = wakeRead;
        this.wakeWrite = wakeWrite;
        SlavePath = slavePath;
    }

    /// <summary>The path of the slave side (/dev/pts/N).</summary>
    public string SlavePath { get; }

    /// <summary>Opens a pseudo-terminal of <paramref name="columns"/> by <paramref name="rows"/> characters.</summary>
    /// <exception cref="LaunchFailedException">The system has no free pseudo-terminal; the message says why.</exception>
    public static PseudoTerminal Open(ushort columns = 80, ushort rows = 24)
    {
        int masterFd = LibC.PosixOpenPt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (masterFd < 0)
            throw Failure("posix_openpt");
        var master = new SafeFileHandle(masterFd, ownsHandle: true);
        try
        {
            if (LibC.GrantPt(masterFd) != 0)
                throw Failure("grantpt");
            if (LibC.UnlockPt(masterFd) != 0)
                throw Failure("unlockpt");
            var name = stackalloc byte[128];
            int rc = LibC.PtsNameR(masterFd, name, 128);
            if (rc != 0)
                throw new LaunchFailedException($"cannot name the pseudo-terminal for the program's output ({Marshal.GetPInvokeErrorMessage(rc)})");
            var path = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name));
            int slaveFd = LibC.Open(path, O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
            if (slaveFd < 0)
                throw Failure($"open {path}");
            var slave = new SafeFileHandle(slaveFd, ownsHandle: true);
            var termios = stackalloc byte[128];
            if (LibC.TcGetAttr(slaveFd, termios) == 0)
            {
                LibC.CfMakeRaw(termios);
                LibC.TcSetAttr(slaveFd, TCSANOW, termios);
            }
            var size = stackalloc ushort[4] { rows, columns, 0, 0 };
            LibC.Ioctl(slaveFd, TIOCSWINSZ, size);
            LibC.Fcntl(masterFd, F_SETFL, LibC.Fcntl(masterFd, F_GETFL, 0) | O_NONBLOCK);
            var wake = stackalloc int[2];
            if (LibC.Pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0)
            {
                slave.Dispose();
                throw Failure("pipe2");
            }
            return new PseudoTerminal(master, slave, path, new SafeFileHandle(wake[0], ownsHandle: true), new SafeFileHandle(wake[1], ownsHandle: true));
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Reads what the program has written so far, without waiting: the number of bytes read, 0 when there is
    /// nothing to read now, or -1 once the terminal is disposed.</summary>
    public int Read(Span<byte> buffer)
    {
        bool added = false;
        try
        {
            master.DangerousAddRef(ref added);
            fixed (byte* p = buffer)
            {
                while (true)
                {
                    nint n = LibC.Read((int)master.DangerousGetHandle(), p, (nuint)buffer.Length);
                    if (n >= 0)
                        return (int)n;
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                        continue;
                    return errno == EAGAIN ? 0 : -1;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
        finally
        {
            if (added)
                master.DangerousRelease();
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> (-1: as long as it takes) for output; true when there
    /// is some to read, false after the timeout or once <see cref="StopWaiting"/> was called.</summary>
    public bool WaitForOutput(int timeoutMilliseconds)
    {
        bool added = false, wakeAdded = false;
        try
        {
            master.DangerousAddRef(ref added);
            wakeRead.DangerousAddRef(ref wakeAdded);
            var polls = stackalloc PollFd[2];
            polls[0] = new PollFd { Fd = (int)master.DangerousGetHandle(), Events = POLLIN };
            polls[1] = new PollFd { Fd = (int)wakeRead.DangerousGetHandle(), Events = POLLIN };
            while (true)
            {
                var n = LibC.Poll(polls, 2, timeoutMilliseconds);
                if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
                return n > 0 && (polls[1].Returned & POLLIN) == 0 && (polls[0].Returned & POLLIN) != 0;
            }
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
                master.DangerousRelease();
            if (wakeAdded)
                wakeRead.DangerousRelease();
        }
    }

    /// <summary>Ends every wait for output, now and later, so a reader blocked in <see cref="WaitForOutput"/> can finish.</summary>
    public void StopWaiting()
    {
        bool added = false;
        try
        {
            wakeWrite.DangerousAddRef(ref added);
            byte one = 1;
            LibC.Write((int)wakeWrite.DangerousGetHandle(), &one, 1);
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (added)
                wakeWrite.DangerousRelease();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        StopWaiting();
        slave.Dispose();
        master.Dispose();
        wakeRead.Dispose();
        wakeWrite.Dispose();
    }

    private static LaunchFailedException Failure(string call) =>
        new($"cannot open a pseudo-terminal for the program's output ({call}: {Marshal.GetLastPInvokeErrorMessage()}); check that /dev/pts is mounted");
}
