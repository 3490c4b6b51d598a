using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using TrapDebugger.Native.Interop;

namespace TrapDebugger.Native.Guardian;

/// <summary>The guardian process: the tracer of the debugger's processes, so that the debugger's death cannot harm them.</summary>
/// <remarks>
/// <para>The debugger (the DAP adapter, <c>trapdbg run</c> or <c>attach</c>) starts one guardian per process it debugs and
/// drives it over a Unix socket (<see cref="GuardedTarget"/>). The guardian holds the ptrace link and runs the tracer
/// (<see cref="TraceeProcess"/>); the debugger reads memory and <c>/proc</c> itself and asks the guardian for everything
/// that needs the tracer. A breakpoint decision (a condition, a logpoint) is a question the guardian asks the debugger
/// at each hit.</para>
/// <para>When the debugger's end of the socket closes without releasing the process (killed with -9, crashed), the
/// guardian, still the tracer, stops every thread, puts back every byte it patched and clears the debug registers, and
/// lets the process go (or ends a launched program, when that is what a disconnect would have done), then exits.
/// SIGTERM does the same; terminal signals (SIGINT, SIGHUP, SIGQUIT) are ignored.</para>
/// </remarks>
public static class GuardianHost
{
    /// <summary>The descriptor the debugger hands the guardian its end of the socket on.</summary>
    public const int SocketDescriptor = 3;

    /// <summary>The descriptor of the debugger's stderr, where the guardian says what it did when the debugger vanished.</summary>
    public const int DiagnosticsDescriptor = 4;

    /// <summary>The descriptor of the socket breakpoint decisions are asked and answered on.</summary>
    public const int DecisionDescriptor = 5;

    /// <summary>Serves the debugger on <see cref="SocketDescriptor"/> until it closes the socket; returns the exit status.</summary>
    public static int Run()
    {
        // Neither descriptor may reach a program the guardian launches.
        LibC.Fcntl(SocketDescriptor, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
        LibC.Fcntl(DiagnosticsDescriptor, 2, 1);
        LibC.Fcntl(DecisionDescriptor, 2, 1);
        var session = new HostSession(new FrameSocket(SocketDescriptor), new FrameSocket(DecisionDescriptor));
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            session.Terminate();
        });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => c.Cancel = true);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => c.Cancel = true);
        return session.Serve();
    }

    private sealed class Hosted(TraceeProcess process, LossPolicy policy)
    {
        public TraceeProcess Process { get; } = process;
        public LossPolicy Policy { get; set; } = policy;
        public ConcurrentDictionary<(ulong Address, int Decision), BreakpointDecision> Decisions { get; } = new();
    }

    private sealed class HostSession(FrameSocket socket, FrameSocket decisions)
    {
        // kind, request id, target id, operation
        private const int ArgumentsOffset = 1 + 4 + 4 + 1;

        private readonly ConcurrentDictionary<int, Hosted> targets = new();
        private readonly object decisionGate = new();
        private readonly List<Task> starts = [];
        private int nextTarget;
        private volatile bool lost;

        public int Serve()
        {
            socket.ReceiveAll(Dispatch);
            lost = true;
            // A question under way gets no answer from a debugger that is gone: the hit is passed over.
            decisions.Shutdown();
            // A launch or attach still under way yields a process too: it is let go like the others once it is held.
            Task[] starting;
            lock (starts) starting = [.. starts];
            Task.WaitAll(starting, TimeSpan.FromSeconds(60));
            RestoreAll();
            socket.Dispose();
            return 0;
        }

        public void Terminate() => socket.Shutdown();

        private void Dispatch(byte[] body)
        {
            var r = new WireReader(body);
            switch ((MessageKind)r.U8())
            {
                case MessageKind.Request:
                    var id = r.I32();
                    var target = r.I32();
                    var op = (Operation)r.U8();
                    var serving = ServeAsync(id, target, op, body, ArgumentsOffset);
                    if (op is Operation.Launch or Operation.Attach)
                        lock (starts) starts.Add(serving);
                    break;
                default:
                    throw new InvalidDataException("the debugger sent a message the guardian does not know");
            }
        }

        /// <summary>Serves one request without blocking the reading thread: a request may wait on the tracer thread while
        /// that thread waits for the answer to a decision, which this thread must be free to read.</summary>
        private async Task ServeAsync(int id, int targetId, Operation op, byte[] body, int argumentsAt)
        {
            await Task.Yield();
            var reply = new WireWriter().U8((int)MessageKind.Reply).I32(id);
            Action? afterReply = null;
            try
            {
                var result = new WireWriter();
                afterReply = await PerformAsync(targetId, op, body.AsMemory(argumentsAt), result).ConfigureAwait(false);
                reply.Bool(true);
                reply.Bytes(result.Frame[4..]);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                reply.Bool(false);
                Failures.Write(reply, e);
            }
            socket.Send(reply);
            afterReply?.Invoke();
        }

        /// <summary>Does what <paramref name="op"/> asks; returns what must happen once the reply is out.</summary>
        private async Task<Action?> PerformAsync(int targetId, Operation op, ReadOnlyMemory<byte> arguments, WireWriter result)
        {
            switch (op)
            {
                case Operation.Launch:
                {
                    var (options, policy) = Read(arguments, static (ref WireReader r) => (WireCodec.ReadLaunch(ref r), (LossPolicy)r.U8()));
                    var process = await TraceeProcess.LaunchAsync(options).ConfigureAwait(false);
                    LetGoOfStandardStreams();
                    return Adopt(process, policy, result);
                }
                case Operation.Attach:
                {
                    var (pid, policy) = Read(arguments, static (ref WireReader r) => (r.I32(), (LossPolicy)r.U8()));
                    var process = await TraceeProcess.AttachAsync(pid).ConfigureAwait(false);
                    return Adopt(process, policy, result);
                }
            }
            var hosted = targets.TryGetValue(targetId, out var h) ? h : throw new InvalidDataException($"the debugger named target {targetId}, which the guardian does not hold");
            var p = hosted.Process;
            switch (op)
            {
                case Operation.Continue:
                    await p.ContinueAsync(Read(arguments, static (ref WireReader r) => r.Bool())).ConfigureAwait(false);
                    break;
                case Operation.StepInstruction:
                    await p.StepInstructionAsync(Read(arguments, static (ref WireReader r) => r.I32())).ConfigureAwait(false);
                    break;
                case Operation.StepInRange:
                {
                    var (tid, start, end) = Read(arguments, static (ref WireReader r) => (r.I32(), r.U64(), r.U64()));
                    await p.StepInRangeAsync(tid, start, end).ConfigureAwait(false);
                    break;
                }
                case Operation.RunThread:
                    await p.RunThreadAsync(Read(arguments, static (ref WireReader r) => r.I32())).ConfigureAwait(false);
                    break;
                case Operation.SaveThread:
                {
                    var saved = await p.SaveThreadAsync(Read(arguments, static (ref WireReader r) => r.I32())).ConfigureAwait(false);
                    result.Block(saved.Registers).Bytes(saved.ExtendedState).I32(saved.ResumeSignal);
                    break;
                }
                case Operation.RestoreThread:
                {
                    var (tid, saved) = Read(arguments, static (ref WireReader r) => (r.I32(), new SavedThreadState(r.Block<GeneralRegisters>(), r.Bytes(), r.I32())));
                    await p.RestoreThreadAsync(tid, saved).ConfigureAwait(false);
                    break;
                }
                case Operation.Pause:
                    await p.PauseAsync().ConfigureAwait(false);
                    break;
                case Operation.Kill:
                    await p.KillAsync().ConfigureAwait(false);
                    break;
                case Operation.Detach:
                    await p.DetachAsync(Read(arguments, static (ref WireReader r) => r.Bool())).ConfigureAwait(false);
                    break;
                case Operation.GetRegisters:
                    result.Block(await p.GetRegistersAsync(Read(arguments, static (ref WireReader r) => r.I32())).ConfigureAwait(false));
                    break;
                case Operation.SetRegisters:
                {
                    var (tid, registers) = Read(arguments, static (ref WireReader r) => (r.I32(), r.Block<GeneralRegisters>()));
                    await p.SetRegistersAsync(tid, registers).ConfigureAwait(false);
                    break;
                }
                case Operation.GetFloatingPointRegisters:
                    result.Block(await p.GetFloatingPointRegistersAsync(Read(arguments, static (ref WireReader r) => r.I32())).ConfigureAwait(false));
                    break;
                case Operation.SetFloatingPointRegisters:
                {
                    var (tid, registers) = Read(arguments, static (ref WireReader r) => (r.I32(), r.Block<FloatingPointRegisters>()));
                    await p.SetFloatingPointRegistersAsync(tid, registers).ConfigureAwait(false);
                    break;
                }
                case Operation.GetDebugRegisters:
                    foreach (var value in await p.GetDebugRegistersAsync(Read(arguments, static (ref WireReader r) => r.I32())).ConfigureAwait(false))
                        result.U64(value);
                    break;
                case Operation.InsertBreakpoints:
                {
                    var asked = Read(arguments, ReadInsertions);
                    var failures = new Exception?[asked.Length];
                    var insertions = new List<BreakpointInsertion>(asked.Length);
                    var sent = new List<int>(asked.Length);
                    for (var i = 0; i < asked.Length; i++)
                    {
                        var (address, decision) = asked[i];
                        BreakpointDecision? decide = null;
                        if (decision != 0)
                        {
                            decide = hit => Ask(targetId, decision, hit);
                            if (!hosted.Decisions.TryAdd((address, decision), decide))
                            {
                                failures[i] = new ArgumentException($"decision {decision} is already inserted at 0x{address:x}");
                                continue;
                            }
                        }
                        insertions.Add(new BreakpointInsertion(address, decide));
                        sent.Add(i);
                    }
                    var inserted = await p.InsertBreakpointsAsync(insertions).ConfigureAwait(false);
                    for (var k = 0; k < sent.Count; k++)
                    {
                        if (inserted[k] is not { } failure) continue;
                        var i = sent[k];
                        failures[i] = failure;
                        if (asked[i].Decision != 0) hosted.Decisions.TryRemove(asked[i], out _);
                    }
                    WriteOutcomes(result, failures);
                    break;
                }
                case Operation.RemoveBreakpoints:
                {
                    var asked = Read(arguments, ReadInsertions);
                    var failures = new Exception?[asked.Length];
                    var removals = new List<BreakpointInsertion>(asked.Length);
                    var sent = new List<int>(asked.Length);
                    for (var i = 0; i < asked.Length; i++)
                    {
                        var (address, decision) = asked[i];
                        BreakpointDecision? decide = null;
                        if (decision != 0 && !hosted.Decisions.TryRemove((address, decision), out decide))
                        {
                            failures[i] = new ArgumentException($"there is no breakpoint decision {decision} at 0x{address:x} to remove");
                            continue;
                        }
                        removals.Add(new BreakpointInsertion(address, decide));
                        sent.Add(i);
                    }
                    var removed = await p.RemoveBreakpointsAsync(removals).ConfigureAwait(false);
                    for (var k = 0; k < sent.Count; k++) failures[sent[k]] = removed[k];
                    WriteOutcomes(result, failures);
                    break;
                }
                case Operation.SetWatchpoint:
                {
                    var (address, size, kind) = Read(arguments, static (ref WireReader r) => (r.U64(), r.I32(), (WatchKind)r.U8()));
                    var slot = await p.SetWatchpointAsync(address, size, kind).ConfigureAwait(false);
                    result.I32(slot.Index).U64(slot.Address).I32(slot.Size).U8((int)slot.Kind);
                    break;
                }
                case Operation.ClearWatchpoint:
                    await p.ClearWatchpointAsync(Read(arguments, static (ref WireReader r) => r.I32())).ConfigureAwait(false);
                    break;
                case Operation.WriteMemory:
                {
                    var (address, data) = Read(arguments, static (ref WireReader r) => (r.U64(), r.Bytes()));
                    p.Memory.Write(address, data);
                    break;
                }
                case Operation.Release:
                    await p.DisposeAsync().ConfigureAwait(false);
                    targets.TryRemove(targetId, out _);
                    break;
                case Operation.SetForkOptions:
                {
                    var (follow, keep) = Read(arguments, static (ref WireReader r) => ((ForkFollow)r.U8(), r.Bool()));
                    await p.SetForkOptionsAsync(new ForkOptions(follow, keep)).ConfigureAwait(false);
                    break;
                }
                case Operation.SetLossPolicy:
                    hosted.Policy = Read(arguments, static (ref WireReader r) => (LossPolicy)r.U8());
                    break;
                default:
                    throw new InvalidDataException($"the debugger asked for operation {(int)op}, which the guardian does not know");
            }
            return null;
        }

        /// <summary>The program has its streams now: the guardian keeps none of them open (a pipe would not reach end of file
        /// while the guardian lives, and the runtime keeps copies of descriptors 0-2 of its own), and speaks on the
        /// debugger's stderr from here on.</summary>
        private static void LetGoOfStandardStreams()
        {
            var streams = new HashSet<string>(StringComparer.Ordinal);
            for (var fd = 0; fd < 3; fd++)
                if (Link(fd) is { } target) streams.Add(target);
            var devNull = LibC.Open("/dev/null", 2 /* O_RDWR */, 0);
            if (devNull < 0) return;
            foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                // A copy is pointed at /dev/null rather than closed: whoever holds it keeps a valid descriptor.
                if (int.TryParse(Path.GetFileName(entry), out var fd) && fd is not (SocketDescriptor or DiagnosticsDescriptor) && fd != devNull
                    && Link(fd) is { } target && streams.Contains(target))
                    LibC.Dup2(devNull, fd);
            }
            LibC.Close(devNull);
            LibC.Dup2(DiagnosticsDescriptor, 2);
        }

        private static string? Link(int fd)
        {
            try
            {
                return File.ResolveLinkTarget($"/proc/self/fd/{fd}", returnFinalTarget: false)?.FullName;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>Holds a new process: answers with its id, pid, threads and breakpoint sites; once that reply is out, its
        /// site changes and events follow (the debugger makes the target when it reads the reply).</summary>
        private Action Adopt(TraceeProcess process, LossPolicy policy, WireWriter result)
        {
            var id = Hold(process, policy);
            WireCodec.WriteHeld(result, id, process);
            return () => Forward(id, process);
        }

        /// <summary>Registers a process the guardian now holds and mirrors its breakpoint sites; returns its target id.</summary>
        /// <remarks>Nothing changes the sites of a stopped process until the debugger asks, which it does once it knows the id.</remarks>
        private int Hold(TraceeProcess process, LossPolicy policy)
        {
            var id = Interlocked.Increment(ref nextTarget);
            targets[id] = new Hosted(process, policy);
            process.SiteChanged += (address, original) => socket.Send(new WireWriter().U8((int)MessageKind.Site).I32(id).U64(address).I32(original));
            return id;
        }

        /// <summary>Forwards the events of a held process. A process it forked and kept is held too, and its events follow
        /// the one that names it.</summary>
        private void Forward(int id, TraceeProcess process) => _ = Task.Run(async () =>
        {
            await foreach (var e in process.Events.ReadAllAsync().ConfigureAwait(false))
            {
                var w = new WireWriter().U8((int)MessageKind.Event).I32(id);
                if (e is ProcessForked forked)
                {
                    // A process the program made is the program's business: the debugger's death lets it go.
                    var other = forked.Other as TraceeProcess;
                    var otherId = other is null ? 0 : Hold(other, LossPolicy.Detach);
                    WireCodec.WriteForked(w, forked, process, otherId, other);
                    socket.Send(w);
                    if (other is not null) Forward(otherId, other);
                    continue;
                }
                WireCodec.WriteEvent(w, e, process);
                socket.Send(w);
            }
        });

        /// <summary>Asks the debugger whether a hit is reported; on the tracer thread, which waits for the answer on the
        /// decision socket (no other thread in between). A debugger that is gone passes the hit over.</summary>
        private bool Ask(int targetId, int decision, BreakpointHit hit)
        {
            var registers = hit.Registers;
            var question = new WireWriter().U8((int)MessageKind.Question).I32(targetId).I32(decision).I32(hit.ThreadId).U64(hit.Address).Block(registers);
            lock (decisionGate)
            {
                if (lost || !decisions.Send(question) || decisions.Receive() is not { } answer) return false;
                var r = new WireReader(answer);
                return (MessageKind)r.U8() == MessageKind.Answer && r.Bool();
            }
        }

        /// <summary>The debugger is gone: every process still held is let go as its policy says.</summary>
        private void RestoreAll()
        {
            var pending = new List<Task>();
            foreach (var (_, hosted) in targets)
            {
                if (hosted.Process.HasEnded) continue;
                pending.Add(Task.Run(async () =>
                {
                    var p = hosted.Process;
                    try
                    {
                        if (hosted.Policy == LossPolicy.Kill) await p.KillAsync().ConfigureAwait(false);
                        else await p.DetachAsync().ConfigureAwait(false);
                        Say(hosted.Policy == LossPolicy.Kill
                            ? $"trapdbg: the debugger ended; the guardian ended the program it launched (process {p.Pid})."
                            : $"trapdbg: the debugger ended; the guardian restored process {p.Pid} (breakpoints and debug registers removed) and let it run.");
                    }
                    catch (TargetException e)
                    {
                        // A process that ended meanwhile needs nothing more.
                        if (!p.HasEnded) Say($"trapdbg: the debugger ended and the guardian could not let process {p.Pid} go cleanly: {e.Message}");
                    }
                }));
            }
            Task.WaitAll([.. pending], TimeSpan.FromSeconds(60));
        }

        private static void Say(string line)
        {
            try
            {
                using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(DiagnosticsDescriptor, ownsHandle: false), FileAccess.Write);
                var bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n");
                stream.Write(bytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // The debugger's stderr went with it.
            }
        }

        private delegate T Parse<T>(ref WireReader r);

        /// <summary>Breakpoint insertions as <see cref="GuardedTarget"/> sends them: a count, then address and decision id
        /// (0: none) of each.</summary>
        private static (ulong Address, int Decision)[] ReadInsertions(ref WireReader r)
        {
            var count = r.I32();
            if (count < 0 || count > r.Remaining / 12)
                throw new InvalidDataException($"a breakpoint request names {count} insertions, more than it holds");
            var insertions = new (ulong, int)[count];
            for (var i = 0; i < count; i++) insertions[i] = (r.U64(), r.I32());
            return insertions;
        }

        /// <summary>One outcome per item of a batch: success, or the failure as a reply carries it.</summary>
        private static void WriteOutcomes(WireWriter result, IReadOnlyList<Exception?> failures)
        {
            foreach (var failure in failures)
            {
                result.Bool(failure is null);
                if (failure is not null) Failures.Write(result, failure);
            }
        }

        private static T Read<T>(ReadOnlyMemory<byte> arguments, Parse<T> parse)
        {
            var r = new WireReader(arguments.Span);
            return parse(ref r);
        }
    }
}
