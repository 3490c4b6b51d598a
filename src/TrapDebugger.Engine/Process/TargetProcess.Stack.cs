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
    /// <remarks>Machine frames are unwound lazily, as far as someone asks: a stop in a 100,000-frame recursion needs its top
    /// frames at once and the rest only when a client pages down to them. Guarded by _stacks.</remarks>
    private sealed class ThreadStack(Unwinder unwinder, IEnumerable<PhysicalFrame> walk)
    {
        private readonly List<PhysicalFrame> _physical = [];
        private IEnumerator<PhysicalFrame>? _pending = walk.GetEnumerator();

        public string? UnwindStopReason => _pending is null ? unwinder.StopReason : null;
        public List<StackFrame> Frames { get; } = [];
        public int NextPhysical { get; set; }

        /// <summary>True when machine frame <paramref name="index"/> exists, unwinding up to it if needed.</summary>
        public bool HasPhysical(int index)
        {
            while (_physical.Count <= index && _pending is not null)
            {
                if (_pending.MoveNext()) _physical.Add(_pending.Current);
                else
                {
                    _pending.Dispose();
                    _pending = null;
                }
            }
            return index >= 0 && index < _physical.Count;
        }

        /// <summary>Machine frame <paramref name="index"/>, which <see cref="HasPhysical"/> said exists.</summary>
        public PhysicalFrame PhysicalAt(int index) => HasPhysical(index) ? _physical[index] : throw new ArgumentOutOfRangeException(nameof(index));

        /// <summary>The machine frames not yet expanded into user frames: exact once the walk ended, else the known ones and one
        /// more, so a client asks for further pages.</summary>
        public int RemainingEstimate => _physical.Count - NextPhysical + (_pending is null ? 0 : 1);
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
        if (!_native.ThreadIds.Contains(threadId)) throw new EngineException($"there is no thread {threadId}");
        var registers = await ReadRegistersAsync(threadId).ConfigureAwait(false);
        var unwinder = new Unwinder(Target, new StackBlockCache(_memory));
        var stack = new ThreadStack(unwinder, unwinder.Walk(registers));
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
            while (stack.Frames.Count < wanted && stack.HasPhysical(stack.NextPhysical))
            {
                var atCall = stack.NextPhysical == 0 && _stoppedAtInlinedCall.TryGetValue(threadId, out var call) ? call : null;
                var expanded = _symbolizer.Expand(stack.PhysicalAt(stack.NextPhysical++), threadId, stack.Frames.Count, () => _nextFrameId++, atCall);
                foreach (var f in expanded)
                {
                    stack.Frames.Add(f);
                    _framesById[f.Id] = f;
                }
            }
            int total = stack.Frames.Count + stack.RemainingEstimate;
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
