using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrapDebugger.Cli.Commands;
using TrapDebugger.Dwarf;
using TrapDebugger.Elf;

namespace TrapDebugger.Cli.Tests.Fuzzing;

/// <summary>How a fuzzing run went: counts, the slowest mutant, and every outcome that was not a success or one clear error.</summary>
internal sealed record FuzzReport(int Mutants, int Clean, int Rejected, int Runs, TimeSpan Slowest, string SlowestMutant, IReadOnlyList<string> Failures)
{
    public override string ToString() =>
        $"{Mutants} mutants: {Clean} read cleanly by every command, {Rejected} rejected with one sentence, {Runs} run under the debugger; " +
        $"{Failures.Count} failures; slowest {Slowest.TotalMilliseconds:F0} ms ({SlowestMutant})";
}

/// <summary>Mutates the seeds and puts each mutant through every path a user takes into the readers: the ELF and DWARF readers
/// directly (every DIE attribute, range, location list, line table and name index entry), <c>trapdbg traps --json</c>,
/// <c>lookup</c> (addresses, a name, a line), <c>symbols --json</c> and, for mutants the kernel still runs the same way,
/// <c>trapdbg run</c> (the engine's symbolization, unwinding and frame variables at a trap).</summary>
/// <remarks>A mutant passes when each command succeeds or prints one line naming the file and where in it the data is bad,
/// and nothing takes longer than <see cref="TimeBound"/>. Mutant <c>i</c> of seed <c>s</c> depends only on (s, i), so any
/// failure is reproduced by its number alone, whatever the order and parallelism.</remarks>
internal sealed partial class InputFuzzer(IReadOnlyList<FuzzSeed> seeds, int seed, string scratch)
{
    /// <summary>The time one mutant may take through every command before it counts as a hang.</summary>
    public static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(30);

    /// <summary>How often a mutant that still runs is also run under <c>trapdbg run</c> (every n-th one: a launch costs more than all the reading).</summary>
    public int RunEvery { get; init; } = 16;

    /// <summary>Where failing mutants are written, so they can be opened with other tools; none when null.</summary>
    public string? KeepFailures { get; init; }

    private readonly ConcurrentDictionary<FuzzSeed, ElfMutator> mutators = new();

    /// <summary>Runs mutants <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1.</summary>
    public FuzzReport Run(int first, int count, int workers)
    {
        int clean = 0, rejected = 0, runs = 0;
        long slowestTicks = 0;
        string slowest = "";
        var failures = new ConcurrentBag<string>();
        var gate = new object();
        Parallel.For(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = workers }, i =>
        {
            var (seedInput, mutant) = MutantAt(i);
            string label = $"mutant {i} (seed {seed}) of {seedInput.Name}: {mutant.How}";
            var clock = Stopwatch.StartNew();
            var dir = Path.Combine(scratch, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            List<string> problems;
            bool anyRejected = false, ran = false;
            try
            {
                var work = Task.Run(() => Exercise(seedInput, mutant, i, dir, out anyRejected, out ran));
                problems = work.Wait(TimeBound) ? work.Result : [$"took longer than {TimeBound.TotalSeconds:0} s (hang)"];
            }
            catch (AggregateException e)
            {
                problems = [$"{e.InnerException!.GetType().Name} escaped: {e.InnerException.Message}\n{e.InnerException.StackTrace}"];
            }
            var elapsed = clock.ElapsedTicks;
            lock (gate)
            {
                if (elapsed > slowestTicks) (slowestTicks, slowest) = (elapsed, label);
                if (problems.Count == 0 && anyRejected) rejected++;
                else if (problems.Count == 0) clean++;
                if (ran) runs++;
            }
            foreach (var p in problems) failures.Add($"{label}: {p}");
            if (problems.Count > 0 && KeepFailures is { } keep)
            {
                Directory.CreateDirectory(keep);
                File.WriteAllBytes(Path.Combine(keep, $"mutant-{seed}-{i}-{Path.GetFileName(seedInput.File)}"), mutant.Bytes);
            }
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        });
        return new FuzzReport(count, clean, rejected, runs, TimeSpan.FromSeconds((double)slowestTicks / Stopwatch.Frequency), slowest,
            failures.OrderBy(f => f, StringComparer.Ordinal).ToList());
    }

    /// <summary>The seed and mutant number <paramref name="index"/> stands for.</summary>
    public (FuzzSeed Seed, Mutant Mutant) MutantAt(int index)
    {
        var random = new Random(Mix(seed, index));
        var input = seeds[random.Next(seeds.Count)];
        var mutator = mutators.GetOrAdd(input, s => new ElfMutator(File.ReadAllBytes(s.File)));
        return (input, mutator.Mutate(random));
    }

    // A fixed mix of the run's seed and the mutant's number (HashCode is randomized per process, so it cannot reproduce a run).
    private static int Mix(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }

    private List<string> Exercise(FuzzSeed input, Mutant mutant, int index, string dir, out bool rejected, out bool ran)
    {
        var problems = new List<string>();
        rejected = false;
        ran = false;
        Directory.CreateDirectory(dir);
        string mutated = Path.Combine(dir, Path.GetFileName(input.File));
        if (input.Kind == InputKind.Core)
        {
            File.WriteAllBytes(mutated, mutant.Bytes);
            rejected = CheckCore(mutated, input.Program, problems);
            return problems;
        }
        string program = input.Kind == InputKind.Program ? mutated : Path.Combine(dir, Path.GetFileName(input.Program));
        File.WriteAllBytes(mutated, mutant.Bytes);
        if (input.Kind != InputKind.Program) File.Copy(input.Program, program);
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(program, File.GetUnixFileMode(input.Program));
        string named = Path.GetFileName(mutated);

        if (input.Kind == InputKind.Program)
            rejected |= ReadEverything(mutant.Bytes, problems);

        rejected |= Check("traps", named, problems, (o, e) => TrapsCommand.Run(program, json: true, o, e, isTerminal: false), json: true);
        rejected |= Check("lookup", named, problems, (o, e) => LookupCommand.Run(program, input.Questions.Addresses, null, null, demangle: true, [], o, e));
        rejected |= Check("lookup", named, problems, (o, e) => LookupCommand.Run(program, [], input.Questions.Name, input.Questions.Line, demangle: true, [], o, e));
        if (input.Kind == InputKind.Program)
            rejected |= Check("symbols", named, problems, (o, e) => SymbolsCommand.Run(program, json: true, dynamic: false, o, e), json: true);

        if (mutant.StillRuns && input.RunArguments is { } arguments && index % RunEvery == 0)
        {
            ran = true;
            RunUnderDebugger(program, arguments, problems);
        }
        return problems;
    }

    // The readers' own surface, from bytes: every failure must be an InvalidDataException that says where.
    private static bool ReadEverything(byte[] bytes, List<string> problems)
    {
        try
        {
            using var elf = ElfFile.Read(bytes, "mutant");
            _ = elf.Symbols.All.Count;
            _ = elf.Notes.Count;
            _ = elf.Dynamic.Needed.Count;
            var dwarf = DwarfFile.FromElf(elf);
            foreach (var unit in dwarf.Units)
            {
                foreach (var die in unit.Dies)
                {
                    foreach (var a in die.Attributes)
                    {
                        if (a.IsString) _ = a.AsString();
                        else if (a.IsAddress) _ = a.AsAddress();
                        else if (a.IsReference) _ = a.AsReference();
                        else if (a.Name is DwarfAttribute.Location or DwarfAttribute.FrameBase && a.IsListReference) _ = DwarfLocationListReader.Read(a);
                    }
                    _ = die.Ranges;
                }
                _ = unit.LineProgram?.Rows.Count;
            }
            if (!dwarf.Sections.Names.IsEmpty)
                foreach (var names in DwarfNameIndex.ReadAll(dwarf.Sections.Names, dwarf.Sections.Str))
                    for (int i = 0; i < names.NameCount; i++)
                        _ = names.Find(names.NameAt(i)).Count + names.EntriesAt(i).Count;
            using var index = new SymbolIndex(elf, dwarf);
            foreach (var f in index.Functions().Take(8))
            {
                index.Symbolize(f.EntryAddress);
                index.Symbolize(f.EntryAddress + 3);
                foreach (var scope in index.ScopesAt(f.EntryAddress + 3))
                    _ = SymbolIndex.VariablesOf(scope).Count;
            }
            index.FindFunctions("main");
            index.FindLine("shapes.cpp", 20);
            return false;
        }
        catch (InvalidDataException e)
        {
            if (!SaysWhere(e.Message)) problems.Add($"reader error does not say where: {e.Message}");
            return true;
        }
        catch (Exception e)
        {
            problems.Add($"reader: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            return true;
        }
    }

    // One command: it succeeds (exit 0, and valid JSON when asked for JSON), or fails with exit 1 and one line naming the
    // file and where in it; never an exception, a stack trace or a second line.
    private static bool Check(string command, string file, List<string> problems, Func<TextWriter, TextWriter, int> run, bool json = false)
    {
        if (Invoke(command, run, problems) is not var (status, text, err)) return true;
        if (status == 0)
        {
            // A note on an empty answer ("… has no symbol table: it was stripped") is one line naming the file.
            var notes = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var note = notes.Length == 1 && notes[0].StartsWith($"trapdbg {command}: ", StringComparison.Ordinal) && notes[0].Contains(file, StringComparison.Ordinal);
            if (err.Length > 0 && !IsAnswerMiss(err) && !note) problems.Add($"trapdbg {command} succeeded but wrote to stderr: {err}");
            if (json)
            {
                try { JsonDocument.Parse(text).Dispose(); }
                catch (JsonException e) { problems.Add($"trapdbg {command} --json printed invalid JSON: {e.Message}"); }
            }
            return false;
        }
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (status == 1 && lines.Length == 1 && IsAnswerMiss(err))
            return false; // "no function named …", "no code for …": the question has no answer in this file.
        if (status != 1)
            problems.Add($"trapdbg {command} exited {status}: {err}");
        else if (lines.Length != 1)
            problems.Add($"trapdbg {command} wrote {lines.Length} lines to stderr: {err}");
        else if (!lines[0].StartsWith($"trapdbg {command}: ", StringComparison.Ordinal) || !lines[0].Contains(file, StringComparison.Ordinal) || !SaysWhere(lines[0]))
            problems.Add($"trapdbg {command}: the error does not name the file and where in it: {lines[0]}");
        return true;
    }

    // trapdbg core on a mutant: a report (the core still holds a process, perhaps with warnings, one sentence a line) or
    // one sentence naming the file; never an exception, a stack trace or invalid JSON.
    private static bool CheckCore(string core, string program, List<string> problems)
    {
        if (Invoke("core", (o, e) => CoreCommand.RunAsync(core, program, json: true, o, e, isTerminal: false).GetAwaiter().GetResult(), problems)
            is not var (status, report, err))
            return true;
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Any(l => !l.StartsWith("trapdbg core: ", StringComparison.Ordinal) || !l.TrimEnd().EndsWith('.')))
            problems.Add($"trapdbg core wrote something other than one sentence a line to stderr: {err}");
        if (status is 1 or 125)
        {
            if (lines.Length != 1 || !lines[0].Contains(core, StringComparison.Ordinal))
                problems.Add($"trapdbg core exited {status} without one sentence naming the file: {err}");
            if (report.Length > 0) problems.Add($"trapdbg core exited {status} and printed a report: {report}");
            return true;
        }
        if (status != 0 && status <= 128)
            problems.Add($"trapdbg core exited {status}: {err}");
        try
        {
            using var doc = JsonDocument.Parse(report);
            if (!doc.RootElement.TryGetProperty("end", out _))
                problems.Add($"trapdbg core --json has no end: {report}");
        }
        catch (JsonException e)
        {
            problems.Add($"trapdbg core --json printed invalid JSON ({e.Message}): {report}");
        }
        return lines.Length > 0;
    }

    // Runs one command in-process and returns its status and what it printed; null, with the problem noted, when an
    // exception escaped it. A stack trace in what it printed is a problem too.
    private static (int Status, string Output, string Error)? Invoke(string command, Func<TextWriter, TextWriter, int> run, List<string> problems)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int status;
        try
        {
            status = run(output, error);
        }
        catch (Exception e)
        {
            problems.Add($"trapdbg {command}: {e.GetType().Name} escaped: {e.Message}\n{e.StackTrace}");
            return null;
        }
        string text = output.ToString(), err = error.ToString();
        if (StackTrace().IsMatch(text) || StackTrace().IsMatch(err))
            problems.Add($"trapdbg {command} printed a stack trace: {err}{text}");
        return (status, text, err);
    }

    private static bool IsAnswerMiss(string error) =>
        error.Contains(": no function named '", StringComparison.Ordinal) || error.Contains(": no code for ", StringComparison.Ordinal);

    // A mutant the kernel runs as before: trapdbg run stops at its trap, reports it, and ends with the trap's signal.
    private static void RunUnderDebugger(string program, IReadOnlyList<string> arguments, List<string> problems)
    {
        if (Invoke("run", (o, e) => RunCommand.RunAsync(program, arguments, json: true, o, e, isTerminal: false).GetAwaiter().GetResult(), problems)
            is not var (status, report, err))
            return;
        if (report.Contains("analysis failed", StringComparison.Ordinal))
            problems.Add($"trapdbg run: the stop was not analysed: {report}");
        if (status != 128 + 4)
            problems.Add($"trapdbg run exited {status}, not 132 (SIGILL): {err}");
        else
        {
            try
            {
                using var doc = JsonDocument.Parse(report);
                if (!doc.RootElement.TryGetProperty("stop", out _))
                    problems.Add($"trapdbg run --json has no stop: {report}");
            }
            catch (JsonException e)
            {
                problems.Add($"trapdbg run --json printed invalid JSON ({e.Message}): {report}");
            }
        }
    }

    // "section …", "… at offset 0x…", "… (sh_size)": an error a user can act on says which data is bad.
    private static bool SaysWhere(string message) =>
        message.Contains("offset", StringComparison.Ordinal) || message.Contains("section", StringComparison.Ordinal) || message.Contains(".debug_", StringComparison.Ordinal);

    [GeneratedRegex(@"^\s+at \S+\(", RegexOptions.Multiline)]
    private static partial Regex StackTrace();
}
