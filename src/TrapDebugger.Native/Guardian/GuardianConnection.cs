using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Interop;
using TrapDebugger.Native.Launch;

namespace TrapDebugger.Native.Guardian;

/// <summary>The debugger's side of one guardian process: starting it, the requests made of it, and one thread that reads
/// its replies, events, breakpoint questions and site changes.</summary>
internal sealed unsafe class GuardianConnection : IDisposable
{
    private readonly FrameSocket socket;
    private readonly FrameSocket decisions;
    private readonly Thread decider;
    private readonly ConcurrentDictionary<int, Pending> pending = new();
    private readonly ConcurrentDictionary<int, GuardedTarget> targets = new();
    private readonly Thread reader;
    private readonly int guardianPid;
    private int nextRequest;
    private volatile bool closed;

    private sealed record Pending(TaskCompletionSource<byte[]> Result, Action<byte[]>? OnReader);

    private GuardianConnection(int socketFd, int decisionFd, int pid)
    {
        socket = new FrameSocket(socketFd);
        decisions = new FrameSocket(decisionFd);
        guardianPid = pid;
        reader = new Thread(Read) { IsBackground = true, Name = "trapdbg guardian" };
        reader.Start();
        decider = new Thread(Decide) { IsBackground = true, Name = "trapdbg decisions" };
        decider.Start();
    }

    /// <summary>True on the thread that answers the guardian's breakpoint questions (where decisions run).</summary>
    public bool OnDecisionThread => Environment.CurrentManagedThreadId == decider.ManagedThreadId;

    /// <summary>Starts a guardian with <paramref name="command"/> and the given descriptors as its stdin, stdout and stderr
    /// (the streams a program it launches inherits; -1 for /dev/null).</summary>
    /// <exception cref="TraceException">The guardian could not be started; the message says why.</exception>
    public static GuardianConnection Start(IReadOnlyList<string> command, int stdin = -1, int stdout = -1, int stderr = -1)
    {
        var pair = stackalloc int[4];
        const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000;
        if (LibC.SocketPair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
            throw new TraceException($"could not create the socket to the guardian process ({Marshal.GetLastPInvokeErrorMessage()})");
        if (LibC.SocketPair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair + 2) != 0)
        {
            LibC.Close(pair[0]);
            LibC.Close(pair[1]);
            throw new TraceException($"could not create the socket to the guardian process ({Marshal.GetLastPInvokeErrorMessage()})");
        }
        int pid;
        try
        {
            pid = Spawn(command, pair[1], pair[3], stdin, stdout, stderr);
        }
        catch
        {
            for (var i = 0; i < 4; i++) LibC.Close(pair[i]);
            throw;
        }
        LibC.Close(pair[1]);
        LibC.Close(pair[3]);
        return new GuardianConnection(pair[0], pair[2], pid);
    }

    /// <summary>Sends a request for <paramref name="target"/> (0 for none) with the arguments <paramref name="arguments"/>
    /// writes, and returns the reply's result bytes; <paramref name="onReader"/> runs on the reading thread before the
    /// task completes (to register a new target before any of its events is read).</summary>
    public Task<byte[]> RequestAsync(int target, Operation op, Action<WireWriter>? arguments = null, Action<byte[]>? onReader = null)
    {
        var id = Interlocked.Increment(ref nextRequest);
        var tcs = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = new Pending(tcs, onReader);
        var w = new WireWriter().U8((int)MessageKind.Request).I32(id).I32(target).U8((int)op);
        arguments?.Invoke(w);
        if (closed || !socket.Send(w))
        {
            pending.TryRemove(id, out _);
            tcs.TrySetException(Lost());
        }
        return tcs.Task;
    }

    /// <summary>Routes the events, breakpoint questions and site changes of target <paramref name="id"/> to <paramref name="target"/>.</summary>
    public void Register(int id, GuardedTarget target) => targets[id] = target;


    /// <summary>Closes the socket: a guardian that still holds a process lets it go as its loss policy says, then exits.</summary>
    public void Dispose()
    {
        if (closed) return;
        closed = true;
        socket.Shutdown();
        socket.Dispose();
        decisions.Shutdown();
        decisions.Dispose();
        // Reap the guardian once it has let its processes go.
        var pid = guardianPid;
        new Thread(() =>
        {
            int status;
            while (LibC.WaitPid(pid, &status, 0) < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR) { }
        }) { IsBackground = true, Name = "trapdbg guardian reaper" }.Start();
    }

    private static TraceException Lost() =>
        new("the guardian process that traces the program has ended; the program is no longer under the debugger");

    private void Read()
    {
        socket.ReceiveAll(Dispatch);
        closed = true;
        foreach (var (id, p) in pending)
            if (pending.TryRemove(id, out _)) p.Result.TrySetException(Lost());
        foreach (var target in targets.Values) target.ConnectionLost();
    }

    /// <summary>The decision thread: answers each breakpoint question as the target's decision says.</summary>
    private void Decide() => decisions.ReceiveAll(body =>
    {
        var r = new WireReader(body);
        if ((MessageKind)r.U8() != MessageKind.Question) throw new InvalidDataException("the guardian sent a decision socket message that is not a question");
        var target = r.I32();
        var decision = r.I32();
        var tid = r.I32();
        var address = r.U64();
        var registers = r.Block<GeneralRegisters>();
        var report = !targets.TryGetValue(target, out var t) || t.Decide(decision, tid, address, registers);
        decisions.Send(new WireWriter().U8((int)MessageKind.Answer).Bool(report));
    });

    private void Dispatch(byte[] body)
    {
        var r = new WireReader(body);
        switch ((MessageKind)r.U8())
        {
            case MessageKind.Reply:
            {
                var id = r.I32();
                if (!pending.TryRemove(id, out var p)) return;
                if (r.Bool())
                {
                    var result = r.Bytes();
                    try
                    {
                        p.OnReader?.Invoke(result);
                        p.Result.TrySetResult(result);
                    }
                    catch (Exception e) when (e is InvalidDataException or TargetException)
                    {
                        p.Result.TrySetException(e);
                    }
                }
                else
                {
                    p.Result.TrySetException(Failures.Read(ref r));
                }
                return;
            }
            case MessageKind.Event:
            {
                var target = r.I32();
                var e = WireCodec.ReadEvent(ref r, out var snapshot, out var held);
                if (held is not null && e is ProcessForked forked)
                {
                    var other = new GuardedTarget(this, held.Id, held.Pid, held.Snapshot, held.Sites, ownsConnection: false);
                    Register(held.Id, other);
                    e = forked with { Other = other };
                }
                if (targets.TryGetValue(target, out var t)) t.Receive(e, snapshot);
                return;
            }
            case MessageKind.Site:
            {
                var target = r.I32();
                var address = r.U64();
                var original = r.I32();
                if (targets.TryGetValue(target, out var t)) t.SiteChanged(address, original);
                return;
            }
            default:
                throw new InvalidDataException("the guardian sent a message the debugger does not know");
        }
    }

    /// <summary>posix_spawn of the guardian: its own process group (terminal signals are the debugger's), the socket as
    /// descriptor 3, the debugger's stderr as 4, the decision socket as 5, the standard streams as given.</summary>
    private static int Spawn(IReadOnlyList<string> command, int socketFd, int decisionFd, int stdin, int stdout, int stderr)
    {
        if (command.Count == 0) throw new TraceException("no command to start the guardian process was given");
        using var request = new SpawnRequest();
        var devNull = LibC.Open("/dev/null", 2 | 0x80000 /* O_RDWR | O_CLOEXEC */, 0);
        try
        {
            LibC.SigEmptySet(request.SignalSet);
            LibC.SpawnAttrSetSigMask(request.Attributes, request.SignalSet);
            LibC.SpawnAttrSetPgroup(request.Attributes, 0);
            const short POSIX_SPAWN_SETPGROUP = 2, POSIX_SPAWN_SETSIGMASK = 8;
            LibC.SpawnAttrSetFlags(request.Attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
            // Descriptors 0-4 are set from copies above them, so that no dup2 overwrites a source another one still needs.
            int[] sources = [stdin < 0 ? devNull : stdin, stdout < 0 ? devNull : stdout, stderr < 0 ? devNull : stderr, socketFd, 2, decisionFd];
            for (var i = 0; i < sources.Length; i++) LibC.FileActionsAddDup2(request.Actions, sources[i], 100 + i);
            for (var i = 0; i < sources.Length; i++) LibC.FileActionsAddDup2(request.Actions, 100 + i, i);
            for (var i = 0; i < sources.Length; i++) LibC.FileActionsAddClose(request.Actions, 100 + i);
            var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => $"{e.Key}={e.Value}").ToList();
            var rc = request.Spawn(command[0], command, environment, out var pid);
            if (rc != 0)
                throw new TraceException($"could not start the guardian process '{command[0]}' ({Marshal.GetPInvokeErrorMessage(rc)}); set TRAPDBG_GUARDIAN=0 to trace inside trapdbg instead");
            return pid;
        }
        finally
        {
            if (devNull >= 0) LibC.Close(devNull);
        }
    }
}
