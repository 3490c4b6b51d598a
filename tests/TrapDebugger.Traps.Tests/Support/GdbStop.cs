using System.Globalization;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Traps.Tests.Support;

/// <summary>Runs a program under gdb until it stops on a signal and captures what a debugger sees there: registers, the
/// load address, and the stack around rsp.</summary>
public sealed record GdbStop(RegisterState Registers, string Signal, ulong LoadBias, ulong StackDumpStart, byte[] Stack, SignalInfo SignalInfo)
{
    /// <summary>Where gdb loads a PIE when it disables address randomization (its default).</summary>
    private const ulong GdbPieBase = 0x555555554000;

    /// <summary>The physical caller frames gdb printed (#1 and up): return address, function, file:line.</summary>
    public List<BacktraceFrame> Callers { get; init; } = [];

    /// <summary>The program's data and bss as they were at the stop.</summary>
    public List<(ulong Start, byte[] Bytes)> Data { get; init; } = [];

    private const int StackBelow = 2048, StackAbove = 2048;

    public static GdbStop Run(string program, params string[] args)
    {
        var dump = Path.Combine(Path.GetTempPath(), $"trapdbg-stack-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
        var image = new ElfImage(program, 0);
        var expectedBias = image.IsPie ? GdbPieBase - ElfImage.FirstLoadAddress(program) : 0;
        var dataDumps = image.WritableSegments.Select((s, k) => (Start: s.Vaddr + expectedBias, End: s.Vaddr + expectedBias + s.MemorySize, File: $"{dump}.data{k}")).ToList();
        var dataCommands = dataDumps.SelectMany(d => new[] { "-ex", $"dump binary memory {d.File} 0x{d.Start:x} 0x{d.End:x}" }).ToList();
        try
        {
            var r = Toolchain.Run("gdb", ["-batch", "-nx", "-ex", "run", .. dataCommands, "-ex", "info registers", "-ex", "info proc mappings", "-ex", "bt",
                "-ex", "p $_siginfo.si_signo", "-ex", "p $_siginfo.si_code", "-ex", "p/x (unsigned long)$_siginfo._sifields._sigfault.si_addr",
                "-ex", $"dump binary memory {dump} $rsp-{StackBelow} $rsp+{StackAbove}", "--args", program, .. args],
                timeout: TimeSpan.FromMinutes(2));
            var signal = r.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("Program received signal", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"the program did not stop on a signal under gdb:\n{r.Stdout}\n{r.Stderr}");
            var registers = new RegisterState();
            var values = new List<ulong>();
            ulong? loadBase = null;
            foreach (var line in r.Stdout.Split('\n'))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 3 && parts[0].StartsWith('$') && parts[1] == "=")
                    values.Add(parts[2].StartsWith("0x", StringComparison.Ordinal)
                        ? ulong.Parse(parts[2].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                        : (ulong)long.Parse(parts[2], CultureInfo.InvariantCulture));
                if (parts.Length >= 2 && parts[1].StartsWith("0x", StringComparison.Ordinal) && (parts.Length <= 4 || parts[0] is "eflags" or "rip"))
                {
                    var value = ulong.Parse(parts[1].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    registers = parts[0] switch
                    {
                        "eflags" => registers with { Rflags = value },
                        "fs_base" => registers with { FsBase = value },
                        "gs_base" => registers with { GsBase = value },
                        _ when Enum.TryParse<Iced.Intel.Register>(parts[0], true, out var reg) && Iced.Intel.RegisterExtensions.IsGPR64(reg) => registers.With(reg, value),
                        "rip" => registers with { Rip = value },
                        _ => registers,
                    };
                }
                // A mapping line: start end size offset perms path; the program's offset-0 mapping is its load base.
                if (loadBase is null && parts.Length == 6 && parts[5] == program && parts[3] == "0x0")
                    loadBase = ulong.Parse(parts[0].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
            var bias = (loadBase ?? throw new InvalidOperationException($"no mapping of {program} in gdb's output:\n{r.Stdout}"))
                - ElfImage.FirstLoadAddress(program);
            if (values.Count != 3) throw new InvalidOperationException($"gdb did not print the siginfo:\n{r.Stdout}");
            var info = new SignalInfo((int)values[0], (int)(long)values[1], values[2]);
            if (bias != expectedBias) throw new InvalidOperationException($"gdb loaded {program} at bias 0x{bias:x}, not 0x{expectedBias:x}");
            return new GdbStop(registers, signal, bias, registers.Rsp - StackBelow, File.ReadAllBytes(dump), info)
            {
                Callers = ParseCallers(r.Stdout),
                Data = dataDumps.Where(d => File.Exists(d.File)).Select(d => (d.Start, File.ReadAllBytes(d.File))).ToList(),
            };
        }
        finally
        {
            File.Delete(dump);
            foreach (var d in dataDumps) File.Delete(d.File);
        }
    }

    // "#1  0x00005555555555ed in ns::f (this=…, i=10) at /path/file.cpp:30"
    private static List<BacktraceFrame> ParseCallers(string output)
    {
        var frames = new List<BacktraceFrame>();
        foreach (var line in output.Split('\n'))
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^#\d+\s+0x([0-9a-f]+) in (.+?) \(.*\) at (.+):(\d+)$");
            if (!m.Success) continue;
            frames.Add(new BacktraceFrame(ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture), m.Groups[2].Value,
                new SourceLocation(m.Groups[3].Value, int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture))));
        }
        return frames;
    }

    /// <summary>The program's file image and the captured stack, as one memory.</summary>
    public IByteSource Memory(string program)
    {
        var captured = new SparseMemory().Add(StackDumpStart, Stack);
        foreach (var (start, bytes) in Data) captured.Add(start, bytes);
        return new LayeredMemory(captured, new ElfImage(program, LoadBias));
    }

    private sealed class LayeredMemory(IByteSource first, IByteSource second) : IByteSource
    {
        public int Read(ulong address, Span<byte> buffer)
        {
            var n = first.Read(address, buffer);
            return n > 0 ? n : second.Read(address, buffer);
        }
    }
}
