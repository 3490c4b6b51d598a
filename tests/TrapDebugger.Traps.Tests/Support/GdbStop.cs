using System.Globalization;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Traps.Tests.Support;

/// <summary>Runs a program under gdb until it stops on a signal and captures what a debugger sees there: registers, the
/// load address, and the stack around rsp.</summary>
public sealed record GdbStop(RegisterState Registers, string Signal, ulong LoadBias, ulong StackDumpStart, byte[] Stack)
{
    private const int StackBelow = 2048, StackAbove = 2048;

    public static GdbStop Run(string program, params string[] args)
    {
        var dump = Path.Combine(Path.GetTempPath(), $"trapdbg-stack-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
        try
        {
            var r = Toolchain.Run("gdb", ["-batch", "-nx", "-ex", "run", "-ex", "info registers", "-ex", "info proc mappings",
                "-ex", $"dump binary memory {dump} $rsp-{StackBelow} $rsp+{StackAbove}", "--args", program, .. args],
                timeout: TimeSpan.FromMinutes(2));
            var signal = r.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("Program received signal", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"the program did not stop on a signal under gdb:\n{r.Stdout}\n{r.Stderr}");
            var registers = new RegisterState();
            ulong? loadBase = null;
            foreach (var line in r.Stdout.Split('\n'))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && parts[1].StartsWith("0x", StringComparison.Ordinal) && (parts.Length <= 4 || parts[0] == "eflags"))
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
            return new GdbStop(registers, signal, bias, registers.Rsp - StackBelow, File.ReadAllBytes(dump));
        }
        finally
        {
            File.Delete(dump);
        }
    }

    /// <summary>The program's file image and the captured stack, as one memory.</summary>
    public IMemoryReader Memory(string program) => new LayeredMemory(new SparseMemory().Add(StackDumpStart, Stack), new ElfImage(program, LoadBias));

    private sealed class LayeredMemory(IMemoryReader first, IMemoryReader second) : IMemoryReader
    {
        public int Read(ulong address, Span<byte> buffer)
        {
            var n = first.Read(address, buffer);
            return n > 0 ? n : second.Read(address, buffer);
        }
    }
}
