using TrapDebugger.Dwarf;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Unwinding;

namespace TrapDebugger.Engine.Process;

public sealed partial class TargetProcess
{
    private readonly Dictionary<int, ThreadStack> _stacks = [];
    private readonly Dictionary<int, StackFrame> _framesById = [];
    private int _nextFrameId = 1;
    // Threads stopped by a breakpoint at the entry of an inlined call made from a line without code of its own: the call
    // site each one shows as its innermost position (guarded by _stacks).
    private readonly Dictionary<int, SourceLocation> _stoppedAtInlinedCall = [];

    /// <summary>One thread's unwound stack at the current stop: machine frames, and user frames expanded as far as asked.</summary>
    private sealed class ThreadStack(IReadOnlyList<PhysicalFrame> physical, string? stopReason)
    {
        public IReadOnlyList<PhysicalFrame> Physical { get; } = physical;
        public string? UnwindStopReason { get; } = stopReason;
        public List<StackFrame> Frames { get; } = [];
        public int NextPhysical { get; set; }
    }

    private void InvalidateStopState()
    {
        lock (_stacks)
        {
            _stacks.Clear();
            _framesById.Clear();
            _stoppedAtInlinedCall.Clear();
        }
        InvalidateVariables();
    }

    private async Task<ThreadStack> StackOfAsync(int threadId)
    {
        lock (_stacks)
        {
            if (_stacks.TryGetValue(threadId, out var cached)) return cached;
        }
        if (!_target.ThreadIds.Contains(threadId)) throw new EngineException($"there is no thread {threadId}");
        var registers = await ReadRegistersAsync(threadId).ConfigureAwait(false);
        var unwinder = new Unwinder(Target, _memory);
        var physical = unwinder.Unwind(registers);
        var stack = new ThreadStack(physical, unwinder.StopReason);
        lock (_stacks)
        {
            if (_stacks.TryGetValue(threadId, out var raced)) return raced;
            _stacks[threadId] = stack;
        }
        return stack;
    }

    /// <summary>The frames of thread <paramref name="threadId"/> from <paramref name="start"/>, at most <paramref name="count"/>, innermost first, with
    /// inlined calls as frames of their own; and the total number of frames.</summary>
    /// <exception cref="EngineException">The process is running or the thread does not exist.</exception>
    public async Task<(IReadOnlyList<StackFrame> Frames, int TotalFrames)> GetStackTraceAsync(int threadId, int start = 0, int count = int.MaxValue)
    {
        RequireStopped();
        var stack = await StackOfAsync(threadId).ConfigureAwait(false);
        lock (_stacks)
        {
            long wanted = Math.Min((long)start + Math.Max(count, 0), int.MaxValue);
            while (stack.Frames.Count < wanted && stack.NextPhysical < stack.Physical.Count)
            {
                var atCall = stack.NextPhysical == 0 && _stoppedAtInlinedCall.TryGetValue(threadId, out var call) ? call : null;
                var expanded = _symbolizer.Expand(stack.Physical[stack.NextPhysical++], threadId, stack.Frames.Count, () => _nextFrameId++, atCall);
                foreach (var f in expanded)
                {
                    stack.Frames.Add(f);
                    _framesById[f.Id] = f;
                }
            }
            int total = stack.Frames.Count + (stack.Physical.Count - stack.NextPhysical);
            var page = stack.Frames.Skip(start).Take(Math.Max(count, 0)).ToList();
            return (page, total);
        }
    }

    /// <summary>Why the unwinder stopped for <paramref name="threadId"/> (e.g. "reached the function that starts the stack"), once its stack was read.</summary>
    public string? UnwindStopReason(int threadId)
    {
        lock (_stacks) return _stacks.TryGetValue(threadId, out var s) ? s.UnwindStopReason : null;
    }

    /// <summary>The frame with id <paramref name="frameId"/> from the current stop.</summary>
    /// <exception cref="EngineException">The id is unknown or from an earlier stop.</exception>
    public StackFrame GetFrame(int frameId)
    {
        RequireStopped();
        lock (_stacks)
        {
            return _framesById.TryGetValue(frameId, out var f) ? f
                : throw new EngineException($"frame {frameId} is not a frame of the current stop; request the stack trace again");
        }
    }
}
