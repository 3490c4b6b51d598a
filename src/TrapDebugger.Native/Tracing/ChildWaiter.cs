using System.Collections.Concurrent;
using TrapDebugger.Native.Interop;

namespace TrapDebugger.Native.Tracing;

/// <summary>The one thread of the process that blocks in waitid/waitpid and hands each tracee state change to the
/// session that owns the thread.</summary>
/// <remarks>
/// Only ptrace requests are tied to the tracer thread; waitpid may be called from any thread of the tracer's thread
/// group (the kernel's do_wait walks every thread's ptraced list). Blocking here, instead of on the tracer thread,
/// keeps each session's tracer thread free to serve requests while the tracee runs, without polling.
/// The waiter peeks with WNOWAIT and reaps only threads it knows to be ours, so children started by other code in
/// this process (System.Diagnostics.Process reaps its own children by pid) are never stolen.
/// </remarks>
internal static unsafe class ChildWaiter
{
    private static readonly ConcurrentDictionary<int, TraceeProcess> ByThread = new();
    private static readonly ConcurrentDictionary<int, TraceeProcess> ByProcess = new();
    private static readonly object Gate = new();
    private static Thread? waiter;
    private static readonly int OwnPid = LibC.GetPid();

    /// <summary>Routes wait results of every thread of process <paramref name="pid"/> to <paramref name="session"/>.</summary>
    public static void RegisterProcess(int pid, TraceeProcess session)
    {
        ByProcess[pid] = session;
        ByThread[pid] = session;
        lock (Gate)
        {
            if (waiter == null)
            {
                waiter = new Thread(Run) { IsBackground = true, Name = "trapdbg waitpid" };
                waiter.Start();
            }
            Monitor.PulseAll(Gate);
        }
    }

    /// <summary>Routes wait results of thread <paramref name="tid"/> to <paramref name="session"/>.</summary>
    public static void RegisterThread(int tid, TraceeProcess session) => ByThread[tid] = session;

    /// <summary>Stops routing thread <paramref name="tid"/>.</summary>
    public static void UnregisterThread(int tid) => ByThread.TryRemove(tid, out _);

    /// <summary>Stops routing every thread of <paramref name="session"/>.</summary>
    public static void UnregisterSession(TraceeProcess session)
    {
        foreach (var (tid, s) in ByThread)
            if (ReferenceEquals(s, session)) ByThread.TryRemove(tid, out _);
        foreach (var (pid, s) in ByProcess)
            if (ReferenceEquals(s, session)) ByProcess.TryRemove(pid, out _);
    }

    private static void Run()
    {
        var info = stackalloc byte[128];
        var idle = 0;
        while (true)
        {
            if (ByThread.IsEmpty)
            {
                lock (Gate) Monitor.Wait(Gate, 100);
                continue;
            }
            new Span<byte>(info, 128).Clear();
            var r = LibC.WaitId(WaitFlags.P_ALL, 0, info, WaitFlags.WEXITED | WaitFlags.WSTOPPED | WaitFlags.WALL | WaitFlags.WNOWAIT);
            if (r != 0)
            {
                // ECHILD: a session registered a process it has not seized yet; EINTR: a signal. Try again shortly.
                lock (Gate) Monitor.Wait(Gate, 2);
                continue;
            }
            var pid = *(int*)(info + 16); // si_pid
            if (pid != 0 && Owner(pid) is { } session)
            {
                idle = 0;
                Reap(pid, session);
                continue;
            }
            // A child that is not ours (or a race with a thread that just left): let its owner reap it, and meanwhile
            // collect our own threads one by one so they are never starved behind it.
            if (!ScanOwnThreads())
                Thread.Sleep(Math.Min(1 + idle++, 20));
        }
    }

    private static TraceeProcess? Owner(int tid)
    {
        if (ByThread.TryGetValue(tid, out var session)) return session;
        // A new thread (or forked child) can report its first stop before its creator's clone/fork event: route it by
        // process (or by parent).
        var status = Proc.ProcFs.Status(tid);
        if (status != null && status.TracerPid != 0 && Proc.ProcFs.ProcessOfThread(status.TracerPid) == OwnPid
            && (ByProcess.TryGetValue(status.Tgid, out session) || ByProcess.TryGetValue(status.ParentPid, out session)))
        {
            ByThread[tid] = session;
            return session;
        }
        return null;
    }

    private static void Reap(int tid, TraceeProcess session)
    {
        int status;
        var r = LibC.WaitPid(tid, &status, WaitFlags.WALL | WaitFlags.WNOHANG | WaitFlags.WSTOPPED);
        if (r == tid)
        {
            var result = new WaitResult(tid, status);
            if (result.Gone) ByThread.TryRemove(tid, out _);
            session.Post(result);
        }
    }

    private static bool ScanOwnThreads()
    {
        var any = false;
        foreach (var (tid, session) in ByThread)
        {
            int status;
            if (LibC.WaitPid(tid, &status, WaitFlags.WALL | WaitFlags.WNOHANG | WaitFlags.WSTOPPED) == tid)
            {
                var result = new WaitResult(tid, status);
                if (result.Gone) ByThread.TryRemove(tid, out _);
                session.Post(result);
                any = true;
            }
        }
        return any;
    }
}
