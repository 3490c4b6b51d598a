using TrapDebugger.Native.Errors;

namespace TrapDebugger.Native.Guardian;

/// <summary>What a guardian message is: the first byte of every message.</summary>
internal enum MessageKind
{
    /// <summary>Debugger → guardian: request id, target id, <see cref="Operation"/>, arguments.</summary>
    Request = 1,
    /// <summary>Debugger → guardian, on the decision socket: the answer to a <see cref="Question"/> (report or not).</summary>
    Answer = 2,
    /// <summary>Guardian → debugger: request id, success, result or the failure.</summary>
    Reply = 3,
    /// <summary>Guardian → debugger: target id, one <see cref="TargetEvent"/>.</summary>
    Event = 4,
    /// <summary>Guardian → debugger, on the decision socket: a breakpoint hit to decide (target, decision id, thread, address,
    /// registers). The tracer thread waits for the answer on the same socket, so a decided hit costs one round trip.</summary>
    Question = 5,
    /// <summary>Guardian → debugger: target id, an address the tracer patched (with the byte it replaced) or no longer patches.</summary>
    Site = 6,
}

/// <summary>The requests the debugger makes of the guardian, one per <see cref="ITarget"/> action that needs the tracer.</summary>
internal enum Operation
{
    Launch = 1,
    Attach,
    Continue,
    StepInstruction,
    Pause,
    Kill,
    Detach,
    GetRegisters,
    SetRegisters,
    GetFloatingPointRegisters,
    SetFloatingPointRegisters,
    GetDebugRegisters,
    /// <summary>Several breakpoint insertions in one request (a count, then address and decision id of each); the reply
    /// holds one outcome per insertion.</summary>
    InsertBreakpoints,
    /// <summary>Several breakpoint removals in one request, as <see cref="InsertBreakpoints"/>.</summary>
    RemoveBreakpoints,
    SetWatchpoint,
    ClearWatchpoint,
    WriteMemory,
    /// <summary>The debugger is done with the target: end a launched program, detach from an attached one.</summary>
    Release,
    /// <summary>What the guardian does with the target if the debugger goes away without releasing it.</summary>
    SetLossPolicy,
    SetForkOptions,
    StepInRange,
    RunThread,
    SaveThread,
    RestoreThread,
}

/// <summary>What the guardian does with a target when the debugger's end of the socket closes without a release.</summary>
public enum LossPolicy
{
    /// <summary>Restore every patched byte and debug register and let the process run on (attached processes, and launched
    /// programs the user asked to keep).</summary>
    Detach,
    /// <summary>End the process (a launched program, as a debugger's disconnect does).</summary>
    Kill,
}

/// <summary>Failures carried in a reply: the kind that the debugger side rebuilds, so callers catch what they always caught.</summary>
internal enum FailureKind
{
    Target = 1,
    Memory,
    ReadOnly,
    Argument,
    ArgumentOutOfRange,
    State,
    Gone,
    LaunchFailed,
    AttachDenied,
    NoSuchProcess,
    ExitedDuringAttach,
    Timeout,
}

/// <summary>Turns exceptions into reply failures and back.</summary>
internal static class Failures
{
    public static void Write(WireWriter w, Exception e)
    {
        var (kind, extra) = e switch
        {
            TargetMemoryException => (FailureKind.Memory, 0),
            ReadOnlyTargetException => (FailureKind.ReadOnly, 0),
            ArgumentOutOfRangeException => (FailureKind.ArgumentOutOfRange, 0),
            ArgumentException => (FailureKind.Argument, 0),
            TraceeStateException => (FailureKind.State, 0),
            TraceeGoneException g => (FailureKind.Gone, g.Pid),
            LaunchFailedException => (FailureKind.LaunchFailed, 0),
            AttachDeniedException d => (FailureKind.AttachDenied, (int)d.Reason),
            NoSuchProcessException n => (FailureKind.NoSuchProcess, n.Pid),
            ProcessExitedDuringAttachException x => (FailureKind.ExitedDuringAttach, x.Pid),
            TraceeTimeoutException => (FailureKind.Timeout, 0),
            _ => (FailureKind.Target, 0),
        };
        w.U8((int)kind).I32(extra).Text(e.Message);
        if (e is AttachDeniedException denied) w.I32(denied.TracerPid ?? 0).I32(denied.Pid);
    }

    public static Exception Read(ref WireReader r)
    {
        var kind = (FailureKind)r.U8();
        var extra = r.I32();
        var message = r.Text() ?? "the guardian process failed without saying why";
        switch (kind)
        {
            case FailureKind.Memory: return new TargetMemoryException(message);
            case FailureKind.ReadOnly: return new ReadOnlyTargetException(message);
            case FailureKind.ArgumentOutOfRange: return new ArgumentOutOfRangeException(null, message);
            case FailureKind.Argument: return new ArgumentException(message);
            case FailureKind.State: return new TraceeStateException(message);
            case FailureKind.Gone: return new TraceeGoneException(extra);
            case FailureKind.LaunchFailed: return new LaunchFailedException(message);
            case FailureKind.AttachDenied:
                var tracer = r.I32();
                var pid = r.I32();
                return new AttachDeniedException(pid, (AttachDeniedReason)extra, message, tracer == 0 ? null : tracer);
            case FailureKind.NoSuchProcess: return new NoSuchProcessException(extra);
            case FailureKind.ExitedDuringAttach: return new ProcessExitedDuringAttachException(extra);
            case FailureKind.Timeout: return new TraceeTimeoutException(message);
            default: return new TraceException(message);
        }
    }
}
