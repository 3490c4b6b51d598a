namespace TrapDebugger.Native.Guardian;

/// <summary>The threads, loaded modules and registers read so far of a stopped process.</summary>
internal sealed record ProcessSnapshot(int[] ThreadIds, LoadedModule[] Modules)
{
    /// <summary>The general registers the tracer had read in this stop, by thread (the stopping thread's at least).</summary>
    public IReadOnlyDictionary<int, GeneralRegisters> Registers { get; init; } = new Dictionary<int, GeneralRegisters>();

    /// <summary>The process id, when it may have changed (a target that now follows a fork's child).</summary>
    public int? ProcessId { get; init; }
}

/// <summary>Encodes what crosses between the debugger and its guardian: target events, launch options, signal details.</summary>
internal static class WireCodec
{
    private enum EventTag
    {
        Stopped = 1, ThreadCreated, ThreadExited, Executed, ChildDetached, Exited, Killed, Detached, ModuleLoaded, ModuleUnloaded, Forked,
    }

    /// <summary>A fork's other process as the guardian holds it: the debugger makes a target of it before its first event.</summary>
    public sealed record HeldProcess(int Id, int Pid, ProcessSnapshot Snapshot, IReadOnlyList<KeyValuePair<ulong, byte>> Sites);

    /// <summary>Writes the target id, pid, threads, modules and breakpoint sites of a process the guardian holds.</summary>
    public static void WriteHeld(WireWriter w, int id, TraceeProcess process)
    {
        w.I32(id).I32(process.Pid);
        WriteSnapshot(w, process);
        var sites = process.Sites();
        w.I32(sites.Count);
        foreach (var (address, original) in sites) w.U64(address).U8(original);
    }

    public static HeldProcess ReadHeld(ref WireReader r)
    {
        var id = r.I32();
        var pid = r.I32();
        var snapshot = ReadSnapshot(ref r);
        var sites = new List<KeyValuePair<ulong, byte>>();
        for (var count = Count(r.I32()); count > 0; count--) sites.Add(KeyValuePair.Create(r.U64(), (byte)r.U8()));
        return new HeldProcess(id, pid, snapshot, sites);
    }

    /// <summary>Writes a fork event of <paramref name="process"/> (with its pid, threads and modules now: a target that
    /// follows the child has become the child) whose other process, when kept, the guardian holds as <paramref name="otherId"/>.</summary>
    public static void WriteForked(WireWriter w, ProcessForked e, TraceeProcess process, int otherId, TraceeProcess? other)
    {
        w.U8((int)EventTag.Forked).I32(e.ChildPid).Bool(e.FollowingChild).I32(e.FormerThreadIds.Count);
        foreach (var tid in e.FormerThreadIds) w.I32(tid);
        w.I32(process.Pid);
        WriteSnapshot(w, process);
        w.Bool(other is not null);
        if (other is not null) WriteHeld(w, otherId, other);
    }

    /// <summary>Writes <paramref name="e"/>; a stop or an exec also carries the threads and modules the tracer knows at that
    /// moment (the process is stopped, so they hold until the debugger resumes it).</summary>
    public static void WriteEvent(WireWriter w, TargetEvent e, TraceeProcess process)
    {
        switch (e)
        {
            case ProcessStopped s:
                w.U8((int)EventTag.Stopped).I32(s.ThreadId).U8((int)s.Reason).U64(s.Address).I32(s.PendingStops).I32(s.InstructionsStepped);
                WriteSignal(w, s.Signal);
                w.Bool(s.Watchpoint is not null);
                if (s.Watchpoint is { } hit) w.I32(hit.Slot).U64(hit.Address).U8((int)hit.Kind);
                WriteSnapshot(w, process);
                break;
            case ThreadCreated t:
                w.U8((int)EventTag.ThreadCreated).I32(t.ThreadId).I32(t.ParentThreadId);
                break;
            case ThreadExited t:
                w.U8((int)EventTag.ThreadExited).I32(t.ThreadId).I32(t.ExitCode);
                break;
            case ProcessExecuted x:
                w.U8((int)EventTag.Executed).Text(x.ExecutablePath).I32(x.FormerThreadId);
                WriteSnapshot(w, process);
                break;
            case ChildDetached c:
                w.U8((int)EventTag.ChildDetached).I32(c.ChildPid);
                break;
            case ProcessExited x:
                w.U8((int)EventTag.Exited).I32(x.ExitCode);
                break;
            case ProcessKilled k:
                w.U8((int)EventTag.Killed).I32(k.Signal).Bool(k.CoreDumped);
                WriteSignal(w, k.LastSignalInfo);
                break;
            case ProcessDetached:
                w.U8((int)EventTag.Detached);
                break;
            case ModuleLoaded m:
                w.U8((int)EventTag.ModuleLoaded).Text(m.Path).U64(m.LoadBias);
                break;
            case ModuleUnloaded m:
                w.U8((int)EventTag.ModuleUnloaded).Text(m.Path).U64(m.LoadBias);
                break;
            default:
                throw new InvalidOperationException($"the guardian cannot carry a {e.GetType().Name} event");
        }
    }

    /// <summary>Reads an event; <paramref name="snapshot"/> is set when the event carries the threads and modules, and
    /// <paramref name="held"/> when it is a fork whose other process the guardian holds (the event's Other is left null for
    /// the debugger to fill with its target).</summary>
    public static TargetEvent ReadEvent(ref WireReader r, out ProcessSnapshot? snapshot, out HeldProcess? held)
    {
        snapshot = null;
        held = null;
        switch ((EventTag)r.U8())
        {
            case EventTag.Stopped:
            {
                var tid = r.I32();
                var reason = (StopReason)r.U8();
                var address = r.U64();
                var pending = r.I32();
                var stepped = r.I32();
                var signal = ReadSignal(ref r);
                WatchpointHit? hit = r.Bool() ? new WatchpointHit(r.I32(), r.U64(), (WatchKind)r.U8()) : null;
                snapshot = ReadSnapshot(ref r);
                return new ProcessStopped(tid, reason, signal, address, hit, pending) { InstructionsStepped = stepped };
            }
            case EventTag.ThreadCreated: return new ThreadCreated(r.I32(), r.I32());
            case EventTag.ThreadExited: return new ThreadExited(r.I32(), r.I32());
            case EventTag.Executed:
            {
                var executed = new ProcessExecuted(r.Text() ?? "", r.I32());
                snapshot = ReadSnapshot(ref r);
                return executed;
            }
            case EventTag.ChildDetached: return new ChildDetached(r.I32());
            case EventTag.Exited: return new ProcessExited(r.I32());
            case EventTag.Killed: return new ProcessKilled(r.I32(), r.Bool(), ReadSignal(ref r));
            case EventTag.Detached: return new ProcessDetached();
            case EventTag.ModuleLoaded: return new ModuleLoaded(r.RequiredText(), r.U64());
            case EventTag.ModuleUnloaded: return new ModuleUnloaded(r.RequiredText(), r.U64());
            case EventTag.Forked:
            {
                var child = r.I32();
                var following = r.Bool();
                var former = new int[Count(r.I32())];
                for (var i = 0; i < former.Length; i++) former[i] = r.I32();
                var pid = r.I32();
                snapshot = ReadSnapshot(ref r) with { ProcessId = pid };
                if (r.Bool()) held = ReadHeld(ref r);
                return new ProcessForked(child, null, following, former);
            }
            case var unknown: throw new InvalidDataException($"the guardian sent an event of unknown kind {(int)unknown}");
        }
    }

    public static void WriteLaunch(WireWriter w, LaunchOptions o)
    {
        w.Text(o.Program).I32(o.Arguments.Count);
        foreach (var a in o.Arguments) w.Text(a);
        w.I32(o.Environment?.Count ?? -1);
        foreach (var (name, value) in o.Environment ?? new Dictionary<string, string>()) w.Text(name).Text(value);
        w.Text(o.WorkingDirectory).Bool(o.DisableAslr);
        w.U8((int)o.StandardInput).Text(o.StandardInputPath);
        w.U8((int)o.StandardOutput).Text(o.StandardOutputPath);
        w.U8((int)o.StandardError).Text(o.StandardErrorPath);
    }

    public static LaunchOptions ReadLaunch(ref WireReader r)
    {
        var program = r.RequiredText();
        var arguments = new string[Count(r.I32())];
        for (var i = 0; i < arguments.Length; i++) arguments[i] = r.RequiredText();
        var count = r.I32();
        Dictionary<string, string>? environment = null;
        if (count >= 0)
        {
            environment = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++) environment[r.RequiredText()] = r.RequiredText();
        }
        var cwd = r.Text();
        var aslr = r.Bool();
        var (inMode, inPath) = ((StdioMode)r.U8(), r.Text());
        var (outMode, outPath) = ((StdioMode)r.U8(), r.Text());
        var (errMode, errPath) = ((StdioMode)r.U8(), r.Text());
        return new LaunchOptions
        {
            Program = program, Arguments = arguments, Environment = environment, WorkingDirectory = cwd, DisableAslr = aslr,
            StandardInput = inMode, StandardInputPath = inPath,
            StandardOutput = outMode, StandardOutputPath = outPath,
            StandardError = errMode, StandardErrorPath = errPath,
        };
    }

    private static void WriteSignal(WireWriter w, SignalInfo? info)
    {
        w.Bool(info is not null);
        if (info is not { } s) return;
        w.I32(s.Signal).I32(s.Code).U64(s.Address).I32(s.SenderPid ?? int.MinValue).I32(s.SenderUid ?? int.MinValue);
    }

    private static SignalInfo? ReadSignal(ref WireReader r)
    {
        if (!r.Bool()) return null;
        var (signal, code, address, pid, uid) = (r.I32(), r.I32(), r.U64(), r.I32(), r.I32());
        return new SignalInfo(signal, code, address, pid == int.MinValue ? null : pid, uid == int.MinValue ? null : uid);
    }

    /// <summary>Writes the threads and modules <paramref name="process"/> knows now.</summary>
    public static void WriteSnapshot(WireWriter w, TraceeProcess process)
    {
        var ids = process.ThreadIds;
        w.I32(ids.Count);
        foreach (var id in ids) w.I32(id);
        var modules = process.Modules;
        w.I32(modules.Count);
        foreach (var m in modules) w.Text(m.Path).U64(m.LoadBias).U64(m.DynamicAddress);
        var registers = process.RegistersOfThisStop();
        w.I32(registers.Count);
        foreach (var (tid, values) in registers) w.I32(tid).Block(values);
    }

    public static ProcessSnapshot ReadSnapshot(ref WireReader r)
    {
        var ids = new int[Count(r.I32())];
        for (var i = 0; i < ids.Length; i++) ids[i] = r.I32();
        var modules = new LoadedModule[Count(r.I32())];
        for (var i = 0; i < modules.Length; i++) modules[i] = new LoadedModule(r.RequiredText(), r.U64(), r.U64());
        var registers = new Dictionary<int, GeneralRegisters>();
        for (var count = Count(r.I32()); count > 0; count--) registers[r.I32()] = r.Block<GeneralRegisters>();
        return new ProcessSnapshot(ids, modules) { Registers = registers };
    }

    private static int Count(int n) => n is >= 0 and <= 1 << 20 ? n : throw new InvalidDataException($"a guardian message lists {n} items");
}
