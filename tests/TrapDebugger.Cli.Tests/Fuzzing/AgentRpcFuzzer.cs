using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using MessagePack;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.Remote.Contract;
using TrapDebugger.Remote.Wire;

namespace TrapDebugger.Cli.Tests.Fuzzing;

/// <summary>How a JSON-RPC fuzzing run went.</summary>
internal sealed record RpcFuzzReport(int Mutants, int Answered, int ParseErrors, int Errors, int Results, TimeSpan SlowestAnswer, IReadOnlyList<string> Failures)
{
    public override string ToString() =>
        $"{Mutants} mutated messages: {Answered} answered ({Results} results, {Errors} errors, {ParseErrors} parse errors), the rest notifications or ids lost to mutation; " +
        $"slowest check {SlowestAnswer.TotalMilliseconds:F0} ms; {Failures.Count} failures";
}

/// <summary>Feeds a real <c>trapdbg agent --stdio</c> mutated JSON-RPC messages of its own contract and checks after each one
/// that it still answers, within <see cref="TimeBound"/>: a message it cannot read gets a parse error, a call it cannot
/// serve an error, and nothing crashes it, hangs it or desynchronises its frames.</summary>
/// <remarks>
/// The seeds are the frames the real client proxy writes for every method of <see cref="IRemoteAgent"/> (launching a
/// harmless program, reading memory and files, breakpoints, waits…). Mutant <c>i</c> depends only on (seed, i). Each
/// mutant keeps a consistent length header, so the stream stays in step and the check after it (a <c>GreetAsync</c>
/// with an id no seed uses) proves the agent is alive and still reading frames; the length header itself is fuzzed by
/// its own test. The agent runs in a PID namespace of its own, so no mutant can reach another process of the machine.
/// </remarks>
internal sealed class AgentRpcFuzzer(int seed)
{
    /// <summary>How long the agent may take to answer the check after a mutant before it counts as hung.</summary>
    public static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(20);

    private const long CheckIdBase = 1L << 40;

    /// <summary>Runs mutants <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 against one agent.</summary>
    public async Task<RpcFuzzReport> RunAsync(int first, int count, CancellationToken cancellationToken)
    {
        var seeds = await CaptureSeedsAsync().ConfigureAwait(false);
        var failures = new List<string>();
        using var agent = StartAgent(out var stderr);
        var answers = new AnswerBook();
        var reading = Task.Run(() => ReadAnswersAsync(agent.StandardOutput.BaseStream, answers), CancellationToken.None);
        var input = agent.StandardInput.BaseStream;
        var slowest = TimeSpan.Zero;
        int sentCheck = 0;
        for (int i = first; i < first + count && failures.Count == 0; i++)
        {
            // Not HashCode.Combine: it is seeded anew in every process, and a mutant must be the same in every run.
            var random = new Random(unchecked(seed * 1_000_003 + i));
            var source = seeds[random.Next(seeds.Count)];
            var body = Mutate(source.Body, random, out var how);
            try
            {
                await WriteFrameAsync(input, body, cancellationToken).ConfigureAwait(false);
                long checkId = CheckIdBase + sentCheck++;
                await WriteFrameAsync(input, CheckFrame(seeds, checkId), cancellationToken).ConfigureAwait(false);
                var clock = Stopwatch.StartNew();
                if (!await answers.WaitAsync(checkId, TimeBound, cancellationToken).ConfigureAwait(false))
                    failures.Add($"mutant {i} (seed {seed}) of {source.Method} ({how}): no answer within {TimeBound.TotalSeconds:0} s{Tail(stderr)}");
                if (clock.Elapsed > slowest) slowest = clock.Elapsed;
            }
            catch (IOException e)
            {
                failures.Add($"mutant {i} (seed {seed}) of {source.Method} ({how}): the agent closed its input ({e.Message}){Tail(stderr)}");
            }
            if (agent.HasExited)
                failures.Add($"mutant {i} (seed {seed}) of {source.Method} ({how}): the agent exited with {agent.ExitCode}{Tail(stderr)}");
        }
        // The end of the input is a client going away: the agent lets its process go and exits by itself.
        input.Close();
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            limit.CancelAfter(TimeBound);
            try
            {
                await agent.WaitForExitAsync(limit.Token).ConfigureAwait(false);
                if (agent.ExitCode != 0) failures.Add($"the agent exited with {agent.ExitCode} at the end of its input{Tail(stderr)}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failures.Add($"the agent did not exit within {TimeBound.TotalSeconds:0} s of the end of its input{Tail(stderr)}");
                AgentProcess.Kill(agent);
            }
        }
        await reading.ConfigureAwait(false);
        lock (stderr)
        {
            if (stderr.FirstOrDefault(l => l.Contains("Unhandled exception", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal)) is { } trace)
                failures.Add($"the agent printed a stack trace: {trace}");
        }
        return new RpcFuzzReport(count, answers.Answered, answers.ParseErrors, answers.Errors, answers.Results, slowest, failures);
    }

    private static string Tail(List<string> stderr)
    {
        lock (stderr) return stderr.Count == 0 ? "" : $"; agent stderr: {string.Join(" | ", stderr.TakeLast(3))}";
    }

    /// <summary>The agent, alone in a new PID namespace (with its own /proc), on stdio.</summary>
    private static Process StartAgent(out List<string> stderr)
    {
        stderr = [];
        var log = stderr;
        var info = new ProcessStartInfo("unshare") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--pid", "--fork", "--mount-proc" }.Concat(AgentProcess.Trapdbg()).Concat(["agent", "--stdio"]))
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
                lock (log) log.Add(line);
        };
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WriteFrameAsync(Stream output, byte[] body, CancellationToken cancellationToken)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        await output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One recorded request: its method and its MessagePack body.</summary>
    internal sealed record SeedFrame(string Method, byte[] Body);

    /// <summary>The frames the client proxy writes for every method, with realistic arguments.</summary>
    internal static async Task<List<SeedFrame>> CaptureSeedsAsync()
    {
        var written = new Pipe();
        var never = new Pipe();
        using var rpc = RpcConnection.Create(never.Reader, written.Writer, out _);
        var agent = rpc.Attach<IRemoteAgent>();
        rpc.StartListening();
        using var cancel = new CancellationTokenSource();
        var calls = new (string Method, Func<Task> Call)[]
        {
            ("GreetAsync", () => agent.GreetAsync(cancel.Token)),
            ("AuthenticateAsync", () => agent.AuthenticateAsync(new string('a', 64), cancel.Token)),
            ("ListProcessesAsync", () => agent.ListProcessesAsync(cancel.Token)),
            ("FindProcessAsync", () => agent.FindProcessAsync(1, cancel.Token)),
            ("BeginWaitForProcessAsync", () => agent.BeginWaitForProcessAsync("service", cancel.Token)),
            ("WaitForProcessAsync", () => agent.WaitForProcessAsync(1, cancel.Token)),
            ("LaunchAsync", () => agent.LaunchAsync(new WireLaunch { Program = "/bin/sleep", Arguments = ["600"], Environment = new() { ["LANG"] = "C" }, WorkingDirectory = "/" }, cancel.Token)),
            ("NextEventsAsync", () => agent.NextEventsAsync(0, cancel.Token)),
            ("ReadMemoryAsync", () => agent.ReadMemoryAsync([new WireRange { Address = 0x400000, Length = 4096 }, new WireRange { Address = 0x7ffffffde000, Length = 64 }], cancel.Token)),
            ("WriteMemoryAsync", () => agent.WriteMemoryAsync(0x400000, [0x90, 0x90], cancel.Token)),
            ("GetRegistersAsync", () => agent.GetRegistersAsync(1, cancel.Token)),
            ("SetRegistersAsync", () => agent.SetRegistersAsync(1, new ulong[WireConversions.GeneralRegisterWords], cancel.Token)),
            ("GetFloatingPointRegistersAsync", () => agent.GetFloatingPointRegistersAsync(1, cancel.Token)),
            ("SetFloatingPointRegistersAsync", () => agent.SetFloatingPointRegistersAsync(1, new byte[512], cancel.Token)),
            ("GetDebugRegistersAsync", () => agent.GetDebugRegistersAsync(1, cancel.Token)),
            ("GetAuxiliaryVectorAsync", () => agent.GetAuxiliaryVectorAsync(cancel.Token)),
            ("GetMemoryRegionsAsync", () => agent.GetMemoryRegionsAsync(cancel.Token)),
            ("GetSignalDispositionsAsync", () => agent.GetSignalDispositionsAsync(1, cancel.Token)),
            ("ContinueAsync", () => agent.ContinueAsync(true, cancel.Token)),
            ("StepInstructionAsync", () => agent.StepInstructionAsync(1, cancel.Token)),
            ("StepInRangeAsync", () => agent.StepInRangeAsync(1, 0x401000, 0x401010, cancel.Token)),
            ("RunThreadAsync", () => agent.RunThreadAsync(1, cancel.Token)),
            ("SaveThreadAsync", () => agent.SaveThreadAsync(1, cancel.Token)),
            ("RestoreThreadAsync", () => agent.RestoreThreadAsync(1, new WireSavedThread { Registers = new ulong[WireConversions.GeneralRegisterWords], ExtendedState = new byte[832], ResumeSignal = 0 }, cancel.Token)),
            ("PauseAsync", () => agent.PauseAsync(cancel.Token)),
            ("InsertBreakpointsAsync", () => agent.InsertBreakpointsAsync([0x401000, 0x401010], cancel.Token)),
            ("RemoveBreakpointsAsync", () => agent.RemoveBreakpointsAsync([0x401000], cancel.Token)),
            ("SetWatchpointAsync", () => agent.SetWatchpointAsync(0x404000, 8, 1, cancel.Token)),
            ("ClearWatchpointAsync", () => agent.ClearWatchpointAsync(0, cancel.Token)),
            ("WriteStandardInputAsync", () => agent.WriteStandardInputAsync([0x61, 0x0a], cancel.Token)),
            ("DescribeFileAsync", () => agent.DescribeFileAsync("/bin/sleep", cancel.Token)),
            ("ReadFileAsync", () => agent.ReadFileAsync("/bin/sleep", 0, 4096, cancel.Token)),
            ("DetachAsync", () => agent.DetachAsync(false, cancel.Token)),
            ("KillAsync", () => agent.KillAsync(cancel.Token)),
        };
        var seeds = new List<SeedFrame>();
        var pending = new List<Task>();
        foreach (var (method, call) in calls)
        {
            pending.Add(call());
            seeds.Add(new SeedFrame(method, await ReadFrameAsync(written.Reader).ConfigureAwait(false)));
        }
        await cancel.CancelAsync().ConfigureAwait(false);
        return seeds;
    }

    private static async Task<byte[]> ReadFrameAsync(PipeReader reader)
    {
        while (true)
        {
            var result = await reader.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryTakeFrame(ref buffer, out var body))
            {
                reader.AdvanceTo(buffer.Start);
                return body;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) throw new InvalidOperationException("the proxy wrote no frame");
        }
    }

    private static bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, out byte[] body)
    {
        body = [];
        if (buffer.Length < 4) return false;
        Span<byte> header = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(header);
        int length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (buffer.Length < 4 + length) return false;
        body = buffer.Slice(4, length).ToArray();
        buffer = buffer.Slice(4 + length);
        return true;
    }

    // The GreetAsync seed with its id replaced: {"jsonrpc":"2.0","id":ID,"method":"GreetAsync",...} rewritten key by key.
    private static byte[] CheckFrame(List<SeedFrame> seeds, long id)
    {
        var greet = seeds.First(s => s.Method == "GreetAsync").Body;
        var reader = new MessagePackReader(greet);
        var output = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(output);
        int fields = reader.ReadMapHeader();
        writer.WriteMapHeader(fields);
        for (int f = 0; f < fields; f++)
        {
            var key = reader.ReadString();
            writer.Write(key);
            if (key == "id")
            {
                reader.Skip();
                writer.Write(id);
            }
            else
            {
                var start = reader.Position;
                reader.Skip();
                writer.WriteRaw(reader.Sequence.Slice(start, reader.Position));
            }
        }
        writer.Flush();
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A mutation of <paramref name="body"/>: bytes flipped, replaced, inserted or removed, the message cut short,
    /// a piece repeated, or a length or count in it made huge (a string, binary, array or map that claims more than follows).</summary>
    internal static byte[] Mutate(byte[] body, Random random, out string how)
    {
        var bytes = new List<byte>(body);
        int rounds = 1 + random.Next(4);
        var steps = new List<string>();
        for (int r = 0; r < rounds && bytes.Count > 0; r++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    steps.Add($"flip a bit at {at}");
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    steps.Add($"byte {at} = 0x{bytes[at]:x2}");
                    break;
                case 2:
                    var extra = new byte[1 + random.Next(16)];
                    random.NextBytes(extra);
                    bytes.InsertRange(at, extra);
                    steps.Add($"insert {extra.Length} bytes at {at}");
                    break;
                case 3:
                    int n = Math.Min(1 + random.Next(16), bytes.Count - at);
                    bytes.RemoveRange(at, n);
                    steps.Add($"remove {n} bytes at {at}");
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    steps.Add($"cut at {at}");
                    break;
                case 5:
                    int len = Math.Min(1 + random.Next(32), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, len));
                    steps.Add($"repeat {len} bytes at {at}");
                    break;
                case 6:
                    // A container or string header that claims (nearly) 4 GB of what follows.
                    byte[] header = random.Next(4) switch
                    {
                        0 => [0xdd, 0xff, 0xff, 0xff, 0xf0],   // array32
                        1 => [0xdf, 0x7f, 0xff, 0xff, 0xff],   // map32
                        2 => [0xdb, 0xff, 0xff, 0xff, 0xff],   // str32
                        _ => [0xc6, 0x7f, 0xff, 0xff, 0xff],   // bin32
                    };
                    bytes.RemoveAt(at);
                    bytes.InsertRange(at, header);
                    steps.Add($"huge 0x{header[0]:x2} at {at}");
                    break;
                default:
                    // A value of another type where one was expected: nil, true, a negative int, a float, an empty map.
                    byte[] other = random.Next(5) switch
                    {
                        0 => [0xc0],
                        1 => [0xc3],
                        2 => [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0],
                        3 => [0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0],
                        _ => [0x80],
                    };
                    bytes.RemoveAt(at);
                    bytes.InsertRange(at, other);
                    steps.Add($"0x{other[0]:x2} value at {at}");
                    break;
            }
        }
        how = string.Join(", ", steps);
        return [.. bytes];
    }

    /// <summary>Reads the agent's answers and counts them; the checks' ids are waited for.</summary>
    private static async Task ReadAnswersAsync(Stream input, AnswerBook answers)
    {
        var reader = PipeReader.Create(input);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                while (TryTakeFrame(ref buffer, out var body))
                    answers.Record(body);
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (IOException)
        {
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            answers.Close();
        }
    }

    /// <summary>What came back: counts by kind, and the ids answered so far.</summary>
    private sealed class AnswerBook
    {
        private readonly object gate = new();
        private readonly Dictionary<long, TaskCompletionSource> waiters = [];
        private readonly HashSet<long> seen = [];
        private bool closed;

        public int Answered { get; private set; }
        public int Results { get; private set; }
        public int Errors { get; private set; }
        public int ParseErrors { get; private set; }

        public void Record(byte[] body)
        {
            long? id = null;
            bool error = false, parse = false;
            var reader = new MessagePackReader(body);
            int fields = reader.ReadMapHeader();
            for (int f = 0; f < fields; f++)
            {
                var key = reader.ReadString();
                if (key == "id" && reader.NextMessagePackType == MessagePackType.Integer)
                    id = reader.ReadInt64();
                else if (key == "error" && reader.NextMessagePackType == MessagePackType.Map)
                {
                    error = true;
                    int detail = reader.ReadMapHeader();
                    for (int d = 0; d < detail; d++)
                    {
                        // -32700: the agent could not read the message.
                        if (reader.ReadString() == "code" && reader.NextMessagePackType == MessagePackType.Integer)
                            parse = reader.ReadInt32() == -32700;
                        else
                            reader.Skip();
                    }
                }
                else
                    reader.Skip();
            }
            TaskCompletionSource? waiter = null;
            lock (gate)
            {
                if (id >= CheckIdBase)
                {
                    seen.Add(id.Value);
                    waiters.Remove(id.Value, out waiter);
                }
                else
                {
                    Answered++;
                    if (parse) ParseErrors++;
                    else if (error) Errors++;
                    else Results++;
                }
            }
            waiter?.TrySetResult();
        }

        public async Task<bool> WaitAsync(long id, TimeSpan limit, CancellationToken cancellationToken)
        {
            TaskCompletionSource waiter;
            lock (gate)
            {
                if (seen.Remove(id)) return true;
                if (closed) return false;
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiters[id] = waiter;
            }
            try
            {
                await waiter.Task.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
                lock (gate) seen.Remove(id);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The agent's output ended before the answer.
                return false;
            }
        }

        public void Close()
        {
            List<TaskCompletionSource> pending;
            lock (gate)
            {
                closed = true;
                pending = [.. waiters.Values];
                waiters.Clear();
            }
            foreach (var w in pending) w.TrySetCanceled();
        }
    }
}
