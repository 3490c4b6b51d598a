using System.Globalization;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Process;

namespace TrapDebugger.Adapter.Handlers.DebugConsole;

/// <summary>What a console command works on: the session's process, the frame it is about, and the session's source paths.</summary>
/// <remarks>The frame is the one <c>frame N</c> selected, else the one the client focused (the <c>evaluate</c> request's
/// frame), else the innermost frame of the thread that stopped.</remarks>
public sealed class CommandContext
{
    private readonly int? clientFrameId;

    /// <summary>Creates the context of a command sent with the client's focused frame <paramref name="clientFrameId"/>.</summary>
    public CommandContext(EngineState state, int? clientFrameId, CancellationToken cancellationToken)
    {
        State = state;
        this.clientFrameId = clientFrameId;
        CancellationToken = cancellationToken;
    }

    /// <summary>The session's engine state.</summary>
    public EngineState State { get; }

    /// <summary>Cancelled when the client cancels the request or the session ends.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The debuggee, or a failure saying there is none.</summary>
    public EngineDebuggee Debuggee => State.Debuggee is { HasEnded: false } debuggee
        ? debuggee
        : throw new CommandFailedException("There is no process; launch or attach first.");

    /// <summary>The process, which must be stopped.</summary>
    public TargetProcess StoppedProcess
    {
        get
        {
            var process = Debuggee.Process;
            if (!process.IsStopped)
                throw new CommandFailedException("The program is running; pause it first.");
            return process;
        }
    }

    /// <summary>The frame commands are about.</summary>
    public async Task<StackFrame> FrameAsync()
    {
        var process = StoppedProcess;
        if (State.ConsoleSelection.Current(Debuggee.ReportedStop, clientFrameId) is { } selected)
            return process.GetFrame(selected);
        if (clientFrameId is { } id)
        {
            try
            {
                return process.GetFrame(id);
            }
            catch (EngineException)
            {
                // A frame id from before the last resume: fall back to the stopped thread.
            }
        }
        return await FrameOfThreadAsync(StoppedThreadId, 0).ConfigureAwait(false);
    }

    /// <summary>The thread that caused the stop.</summary>
    public int StoppedThreadId => StoppedProcess.LastStop?.ThreadId ?? throw new CommandFailedException("No thread is stopped.");

    /// <summary>Frame <paramref name="index"/> of thread <paramref name="threadId"/>.</summary>
    public async Task<StackFrame> FrameOfThreadAsync(int threadId, int index)
    {
        var (frames, total) = await StoppedProcess.GetStackTraceAsync(threadId, index, 1).ConfigureAwait(false);
        return frames.Count > 0 ? frames[0] : throw new CommandFailedException(total == 0
            ? $"Thread {threadId} has no frames."
            : string.Create(CultureInfo.InvariantCulture, $"No frame {index}: thread {threadId} has {total} (#0 to #{total - 1})."));
    }

    /// <summary>Selects <paramref name="frame"/> for the following commands.</summary>
    public void Select(StackFrame frame)
    {
        if (Debuggee.ReportedStop is { } stop)
            State.ConsoleSelection.Select(stop, clientFrameId, frame.Id);
    }

    /// <summary>A source path of the debug information as the client sees it.</summary>
    public string ClientPath(string path) => State.Paths.ToClient(path);
}
