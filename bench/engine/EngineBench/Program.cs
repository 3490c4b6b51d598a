using System.Diagnostics;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Process;
using TrapDebugger.Engine.Unwinding;
using TrapDebugger.Native;
using TrapDebugger.Targets;

// Engine-level timings on a stopped process, the work behind a DAP request without the protocol:
//   stack <program> <depth> <iterations>   stackTrace of a fresh stop: read registers, unwind, symbolize, expand inlined frames
//   locals <program> <iterations>          expand the locals of `main` and the 256 members of its large struct, values formatted
//   hits <program> <source> <line> <calls> <condition>   a conditional breakpoint that never stops, hit <calls> times:
//                                          hits per second through the engine (conditions decided where the hit is seen)
//   next <program> <source> <line> <steps>  `next` from <line> <steps> times: time per step and single steps per step
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: EngineBench stack <program> <depth> <iterations> | locals <program> <iterations> | hits <program> <source> <line> <calls> <condition>");
    return 2;
}
if (args[0] == "hits") return await Hits(args[1], args[2], int.Parse(args[3]), int.Parse(args[4]), args[5]);
if (args[0] == "next") return await Next(args[1], args[2], int.Parse(args[3]), int.Parse(args[4]));
if (args[0] == "setbp")
{
    await using var p = await TargetProcess.LaunchAsync(LocalPlatform.Instance, new LaunchOptions { Program = args[1] });
    if (args.Length > 4 && args[4] == "pre") { var pre = Stopwatch.StartNew(); TrapDebugger.Engine.Model.SymbolPreloader.Preload(p.Target.Modules); Console.WriteLine($"preload {pre.Elapsed.TotalMilliseconds:F1} ms"); }
    if (args.Length > 4 && args[4] == "bg") _ = p.PreloadSymbolsAsync(p.Target.Modules);
    foreach (var m in p.Target.Modules)
    {
        var sw0 = Stopwatch.StartNew();
        var found = TrapDebugger.Engine.Breakpoints.BreakpointResolver.Resolve(new TrapDebugger.Engine.Breakpoints.Breakpoint { Id = 1, Kind = TrapDebugger.Engine.Breakpoints.BreakpointKind.SourceLine, File = args[2], Line = int.Parse(args[3]) }, m);
        Console.WriteLine($"{m.Path}: {found.Count} in {sw0.Elapsed.TotalMilliseconds:F1} ms");
    }
    await p.TerminateAsync();
    return 0;
}

var stopped = new TaskCompletionSource<StopInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
var programArgs = args[0] == "stack" ? new[] { args[2] } : [];
await using var process = await TargetProcess.LaunchAsync(LocalPlatform.Instance, new LaunchOptions
{
    Program = args[1],
    Arguments = programArgs,
    StandardOutput = StdioMode.Pipe,
    StandardError = StdioMode.Pipe,
});
process.Event += e =>
{
    if (e is StoppedEvent s) stopped.TrySetResult(s.Stop);
    if (e is ExitedEvent x) stopped.TrySetException(new InvalidOperationException(x.Description));
};
await process.ContinueAsync();
var stop = await stopped.Task;

if (args[0] == "stack")
{
    int iterations = int.Parse(args[3]);
    var symbolizer = new FrameSymbolizer(process.Target);
    var samples = new List<double>();
    int frames = 0;
    for (int i = -3; i < iterations; i++)
    {
        var sw = Stopwatch.StartNew();
        var registers = await process.GetRegistersAsync(stop.ThreadId);
        var physical = new Unwinder(process.Target, process.Memory).Unwind(registers);
        int id = 0, count = 0;
        foreach (var p in physical) count += symbolizer.Expand(p, stop.ThreadId, count, () => ++id).Count;
        sw.Stop();
        frames = count;
        if (i >= 0) samples.Add(sw.Elapsed.TotalMilliseconds);
    }
    // The engine's own cached path (second request of the same stop) for comparison.
    var cached = Stopwatch.StartNew();
    var (all, total) = await process.GetStackTraceAsync(stop.ThreadId);
    cached.Stop();
    samples.Sort();
    Console.WriteLine($"stack depth={args[2]} frames={frames} (engine reports {total}) median={samples[samples.Count / 2]:F2} ms min={samples[0]:F2} ms max={samples[^1]:F2} ms first-request={cached.Elapsed.TotalMilliseconds:F2} ms");
    _ = all;
}
else
{
    int iterations = int.Parse(args[2]);
    var (frames, _) = await process.GetStackTraceAsync(stop.ThreadId);
    var main = frames.First(f => f.Name == "main");
    var scopes = await process.GetScopesAsync(main.Id);
    var scope = await process.GetScopeAsync(main);
    var samples = new List<double>();
    int members = 0;
    for (int i = -3; i < iterations; i++)
    {
        scope.Refresh();
        var sw = Stopwatch.StartNew();
        var locals = process.GetVariables(scopes[0].VariablesReference);
        var big = locals.First(v => v.Name == "local");
        var children = process.GetVariables(big.VariablesReference);
        sw.Stop();
        members = children.Count;
        if (i >= 0) samples.Add(sw.Elapsed.TotalMilliseconds);
    }
    samples.Sort();
    Console.WriteLine($"locals members={members} median={samples[samples.Count / 2]:F2} ms min={samples[0]:F2} ms max={samples[^1]:F2} ms");
}
await process.TerminateAsync();
return 0;

static async Task<int> Hits(string program, string source, int line, int calls, string condition)
{
    var ended = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
    await using var process = await TargetProcess.LaunchAsync(LocalPlatform.Instance, new LaunchOptions { Program = program, Arguments = [calls.ToString()] });
    process.Event += e =>
    {
        if (e is StoppedEvent s) ended.TrySetResult($"stopped: {s.Stop.Description}");
        if (e is ExitedEvent x) ended.TrySetResult(x.Description);
    };
    var set = await process.SetSourceBreakpointsAsync(source, [new TrapDebugger.Engine.Breakpoints.SourceBreakpointSpec(line, Condition: condition)]);
    if (!set[0].IsVerified) throw new InvalidOperationException($"breakpoint not set: {set[0].Message}");
    var sw = Stopwatch.StartNew();
    await process.ContinueAsync();
    var end = await ended.Task;
    var seconds = sw.Elapsed.TotalSeconds;
    Console.WriteLine($"engine hits: {calls} hits in {seconds:0.000} s = {calls / seconds:0} hits/s ({end})");
    return 0;
}

static async Task<int> Next(string program, string source, int line, int steps)
{
    var stops = System.Threading.Channels.Channel.CreateUnbounded<string>();
    await using var process = await TargetProcess.LaunchAsync(LocalPlatform.Instance, new LaunchOptions { Program = program, Arguments = ["100000"], StandardOutput = StdioMode.Pipe });
    _ = process.StandardOutput!.CopyToAsync(Stream.Null);
    process.Event += e =>
    {
        if (e is StoppedEvent s) stops.Writer.TryWrite(s.Stop.Description);
        if (e is ExitedEvent x) stops.Writer.TryWrite(x.Description);
    };
    await process.SetSourceBreakpointsAsync(source, [new TrapDebugger.Engine.Breakpoints.SourceBreakpointSpec(line)]);
    await process.ContinueAsync();
    await stops.Reader.ReadAsync();
    await process.SetSourceBreakpointsAsync(source, []);
    var thread = process.LastStop!.ThreadId;
    var samples = new List<double>();
    var before = process.InstructionStepCount;
    for (var i = 0; i < steps; i++)
    {
        var sw = Stopwatch.StartNew();
        await process.StepAsync(thread, StepKind.Over);
        await stops.Reader.ReadAsync();
        samples.Add(sw.Elapsed.TotalMilliseconds);
    }
    var single = process.InstructionStepCount - before;
    samples.Sort();
    Console.WriteLine($"engine next: median {samples[samples.Count / 2]:F3} ms, min {samples[0]:F3} ms, {single / (double)steps:F1} instructions stepped per next");
    await process.TerminateAsync();
    return 0;
}
