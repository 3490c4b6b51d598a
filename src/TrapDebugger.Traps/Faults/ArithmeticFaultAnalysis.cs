using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Explains a SIGFPE from the dividing instruction: a zero divisor, or a quotient that does not fit (INT_MIN / -1).</summary>
internal static class ArithmeticFaultAnalysis
{
    public static StopDiagnosis Diagnose(StopContext context, StopDiagnosis basis, Instruction? instruction)
    {
        if (instruction is not { } i || i.Mnemonic is not (Mnemonic.Div or Mnemonic.Idiv))
        {
            var what = context.Signal.Code switch
            {
                1 => "integer divide by zero", 2 => "integer overflow", 3 => "floating-point divide by zero",
                4 => "floating-point overflow", 5 => "floating-point underflow", 6 => "floating-point inexact result",
                7 => "invalid floating-point operation", 8 => "subscript out of range", _ => "arithmetic exception",
            };
            return basis with { Kind = StopKind.ArithmeticError, Description = $"Arithmetic error: {what}", ShortText = "Arithmetic error" };
        }
        var registers = context.Registers;
        var bits = i.Op0Kind == OpKind.Register ? i.Op0Register.GetSize() * 8 : i.MemorySize.GetSize() * 8;
        string label;
        ulong? divisor;
        if (i.Op0Kind == OpKind.Register)
        {
            label = Disassembly.Name(i.Op0Register);
            divisor = registers.Get(i.Op0Register);
            // The divisor in the user's terms: the variable in the register, or the field it was loaded from.
            if (context.Symbols?.VariableInRegister(i.IP, Disassembly.Name(i.Op0Register.GetFullRegister())) is { } variable)
                label = $"`{variable}` ({label})";
            else if (OperandSource.LoadOf(context, i.IP, i.Op0Register) is { MemoryIndex: Register.None } load)
            {
                var name = OperandSource.Name(context, load.IP, load.MemoryBase, (long)load.MemoryDisplacement64);
                label = name is null ? $"{label} (loaded from {OperandSource.Operand(load)})" : $"`{name}` ({label}, loaded from {OperandSource.Operand(load)})";
            }
        }
        else
        {
            label = "the memory operand";
            divisor = null;
            if (context.Memory is { } memory && EffectiveAddress.Compute(i, registers, null, out var address) is null && bits is >= 8 and <= 64)
            {
                label = i.MemoryIndex == Register.None && OperandSource.Name(context, i.IP, i.MemoryBase, (long)i.MemoryDisplacement64) is { } name
                    ? $"`{name}` ({OperandSource.Operand(i)} = [0x{address:x}])"
                    : $"[0x{address:x}]";
                Span<byte> buffer = stackalloc byte[8];
                buffer.Clear();
                if (memory.Read(address, buffer[..(bits / 8)]) == bits / 8)
                    divisor = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(buffer);
            }
        }
        var text = Disassembly.Format(i);
        if (divisor == 0)
        {
            return basis with
            {
                Kind = StopKind.DivisionByZero,
                Message = $"divisor {label} = 0",
                Description = $"Integer division by zero: divisor {label} is 0",
                ShortText = "Division by zero",
                Details = [$"{text}: divisor {label} = 0"],
            };
        }
        if (divisor is { } d)
        {
            var (hi, lo) = Dividend(registers, bits);
            var mask = Flags.Mask(bits);
            var dividendText = bits == 8 ? "ax" : $"{Disassembly.Name(HighRegister(bits))}:{Disassembly.Name(LowRegister(bits))}";
            if (i.Mnemonic == Mnemonic.Idiv)
            {
                var min = 1UL << (bits - 1);
                var signedDivisor = BranchConditionEvaluator.FormatValue(d, bits, true);
                var lowText = BranchConditionEvaluator.FormatValue(lo, bits, true);
                if ((d & mask) == mask && (lo & mask) == min)
                {
                    return basis with
                    {
                        Kind = StopKind.DivisionOverflow,
                        Message = $"{dividendText} = {lowText} divided by {label} = -1",
                        Description = $"Integer division overflow: {lowText} / -1 does not fit in {bits} bits",
                        ShortText = "Division overflow",
                        Details = [$"{text}: dividend {dividendText} = {lowText}, divisor {label} = {signedDivisor}"],
                    };
                }
            }
            else if ((hi & mask) >= (d & mask))
            {
                return basis with
                {
                    Kind = StopKind.DivisionOverflow,
                    Message = $"quotient of {dividendText} / {label} does not fit",
                    Description = $"Integer division overflow: the quotient does not fit in {bits} bits",
                    ShortText = "Division overflow",
                    Details = [$"{text}: high half {Disassembly.Name(HighRegister(bits))} = 0x{hi & mask:x} ≥ divisor {label} = 0x{d & mask:x}"],
                };
            }
        }
        return basis with
        {
            Kind = StopKind.ArithmeticError,
            Description = $"Integer division error in {text}",
            ShortText = "Arithmetic error",
            Details = [$"{text}: divisor {label} = {(divisor is { } v ? $"0x{v:x}" : "unknown")}"],
        };
    }

    private static (ulong High, ulong Low) Dividend(RegisterState r, int bits) => bits switch
    {
        8 => ((r.Rax >> 8) & 0xFF, r.Rax & 0xFF),
        16 => (r.Rdx & 0xFFFF, r.Rax & 0xFFFF),
        32 => (r.Rdx & 0xFFFF_FFFF, r.Rax & 0xFFFF_FFFF),
        _ => (r.Rdx, r.Rax),
    };

    private static Register HighRegister(int bits) => bits switch { 16 => Register.DX, 32 => Register.EDX, _ => Register.RDX };

    private static Register LowRegister(int bits) => bits switch { 16 => Register.AX, 32 => Register.EAX, _ => Register.RAX };
}
