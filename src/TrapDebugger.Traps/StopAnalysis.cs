using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Explains why a thread stopped: the entry point of the trap and fault analysis.</summary>
public static class StopAnalysis
{
    /// <summary>Classifies the stop described by <paramref name="context"/> and returns its diagnosis; never throws for odd input.</summary>
    public static StopDiagnosis Diagnose(StopContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var signal = context.Signal;
        var name = Signals.Name(signal.Signal);
        var basis = new StopDiagnosis
        {
            Kind = StopKind.Signal,
            Signal = signal.Signal,
            SignalName = name,
            Description = name,
            ShortText = name,
            TrapAddress = context.Registers.Rip,
        };
        var symbols = context.Symbols;
        basis = basis with
        {
            Function = symbols?.FindFunction(context.Registers.Rip)?.Name,
            Location = symbols?.Symbolize(context.Registers.Rip)?.Line,
        };

        switch (context.Event)
        {
            case LanguageEvent.RustPanic:
                return RustPanicAnalysis.AtPanicEntry(context, basis with { Signal = 0, SignalName = "" });
            case LanguageEvent.CxxThrow:
                return CxxExceptionAnalysis.Thrown(context, basis with { Signal = 0, SignalName = "" });
        }

        var selfAbort = signal.Signal == Signals.SIGABRT
            && (context.ProcessId is null || signal.SenderPid is null || signal.SenderPid == context.ProcessId);
        if (signal.IsSentByProcess && !selfAbort)
        {
            var sender = signal.SenderPid is { } pid ? $"process {pid}" : "another process";
            var uid = signal.SenderUid is { } u ? $", uid {u}" : "";
            return basis with
            {
                Kind = StopKind.SignalFromProcess,
                SenderPid = signal.SenderPid,
                Description = $"{name} sent by {sender} (via {Signals.Sender(signal.Code)}{uid})",
                ShortText = name,
            };
        }

        switch (signal.Signal)
        {
            case Signals.SIGILL:
            {
                var instruction = DecodeAt(context, context.Registers.Rip);
                if (instruction is { } i && TrapInstruction.Classify(i) is { Kind: not TrapInstructionKind.None } trap)
                    return TrapAnalysis.Diagnose(context, basis, trap);
                return basis with
                {
                    Kind = StopKind.IllegalInstruction,
                    Instruction = instruction is { } ii ? Disassembly.Format(ii) : null,
                    Description = instruction is { } bad && !bad.IsInvalid
                        ? $"Illegal instruction {Disassembly.Format(bad)} (not supported by this CPU or privileged)"
                        : "Illegal instruction (the bytes at the pc do not decode)",
                    ShortText = "Illegal instruction",
                };
            }
            case Signals.SIGTRAP:
            {
                if (ProgramBreakpoint(context) is { } trap)
                    return TrapAnalysis.Diagnose(context, basis, trap);
                return basis with { Description = "SIGTRAP (trace/breakpoint trap)", ShortText = "SIGTRAP" };
            }
            case Signals.SIGSEGV or Signals.SIGBUS:
            {
                var instruction = DecodeAt(context, context.Registers.Rip);
                if (instruction is { IsInvalid: true }) instruction = null;
                return MemoryFaultAnalysis.Diagnose(context, basis with { Instruction = instruction is { } i ? Disassembly.Format(i) : null }, instruction);
            }
            case Signals.SIGFPE:
            {
                var instruction = DecodeAt(context, context.Registers.Rip);
                if (instruction is { IsInvalid: true }) instruction = null;
                return ArithmeticFaultAnalysis.Diagnose(context, basis with { Instruction = instruction is { } i ? Disassembly.Format(i) : null }, instruction);
            }
            case Signals.SIGABRT:
                return AbortAnalysis.Diagnose(context, basis);
            default:
                return basis with { Description = $"{name} raised by the kernel", ShortText = name };
        }
    }

    /// <summary>Builds the instruction decoder's, formatter's and instruction-info tables now, on the calling thread,
    /// so that the first stop's diagnosis does not pay for them.</summary>
    /// <remarks>Iced builds its tables on first use; in bench/dap that was about 2 ms of the first trap's time to the
    /// stopped event. Call it once while the debugger waits for the program (attach, launch).</remarks>
    public static void Prepare()
    {
        byte[] sample = [0x48, 0x39, 0xf2, 0x73, 0x02, 0x8b, 0x07, 0x0f, 0x0b]; // cmp rdx, rsi; jae +2; mov eax, [rdi]; ud2
        var decoder = Decoder.Create(64, sample, 0);
        var info = new InstructionInfoFactory();
        while (decoder.IP < (ulong)sample.Length)
        {
            decoder.Decode(out var instruction);
            _ = info.GetInfo(instruction);
            _ = TrapInstruction.Classify(instruction);
        }
    }

    private static Instruction? DecodeAt(StopContext context, ulong address)
    {
        var code = context.Code ?? context.Memory;
        if (code is null) return null;
        Span<byte> buffer = stackalloc byte[15];
        var read = code.Read(address, buffer);
        if (read <= 0) return null;
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(buffer[..read].ToArray()), address);
        decoder.Decode(out var instruction);
        return instruction;
    }

    // int3 is a trap, not a fault: the pc is already past it (CC at rip-1, or CD 03 at rip-2).
    private static TrapInstruction? ProgramBreakpoint(StopContext context)
    {
        var code = context.Code ?? context.Memory;
        var rip = context.Registers.Rip;
        if (code is null || rip < 2) return null;
        if (context.DebuggerBreakpoints?.Contains(rip - 1) == true) return null;
        Span<byte> buffer = stackalloc byte[2];
        if (code.Read(rip - 1, buffer[1..]) == 1 && buffer[1] == 0xCC) return TrapInstruction.Decode(rip - 1, buffer[1..]);
        if (code.Read(rip - 2, buffer) == 2 && buffer[0] == 0xCD && buffer[1] == 0x03) return TrapInstruction.Decode(rip - 2, buffer);
        return null;
    }
}
