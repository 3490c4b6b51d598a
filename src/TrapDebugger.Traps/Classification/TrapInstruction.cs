using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>The instructions a program uses to stop itself on purpose.</summary>
public enum TrapInstructionKind
{
    /// <summary>Not a trap instruction.</summary>
    None,
    /// <summary><c>ud2</c> (0F 0B): <c>__builtin_trap</c>, verbose traps, libc++ hardening.</summary>
    Ud2,
    /// <summary><c>ud1 eax, [eax + k]</c>: a UBSan check in trap mode with check kind k.</summary>
    UbsanUd1,
    /// <summary>Any other <c>ud1</c> or <c>ud0</c>.</summary>
    OtherUndefined,
    /// <summary><c>int3</c> (CC) or <c>int 3</c> (CD 03).</summary>
    Int3,
}

/// <summary>A decoded trap instruction.</summary>
/// <param name="Address">Where the instruction starts.</param>
/// <param name="Kind">What kind of trap it is.</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="Text">Its disassembly (Intel syntax).</param>
/// <param name="UbsanOrdinal">The check-kind immediate of a UBSan <c>ud1</c>.</param>
public sealed record TrapInstruction(ulong Address, TrapInstructionKind Kind, int Length, string Text, int? UbsanOrdinal)
{
    /// <summary>Decodes the instruction at <paramref name="address"/> from <paramref name="bytes"/> and classifies it; null when the bytes do not decode.</summary>
    public static TrapInstruction? Decode(ulong address, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return null;
        var decoder = Decoder.Create(64, bytes.ToArray(), address);
        decoder.Decode(out var instruction);
        if (instruction.IsInvalid) return null;
        return Classify(instruction);
    }

    /// <summary>Classifies an already decoded instruction.</summary>
    public static TrapInstruction Classify(in Instruction instruction)
    {
        var text = Disassembly.Format(instruction);
        switch (instruction.Mnemonic)
        {
            case Mnemonic.Ud2:
                return new(instruction.IP, TrapInstructionKind.Ud2, instruction.Length, text, null);
            case Mnemonic.Int3:
                return new(instruction.IP, TrapInstructionKind.Int3, instruction.Length, text, null);
            case Mnemonic.Int when instruction.Immediate8 == 3:
                return new(instruction.IP, TrapInstructionKind.Int3, instruction.Length, text, null);
            case Mnemonic.Ud1:
                // Clang emits `ud1l k(%eax), %eax` (67 0F B9 40 k, or 67 0F B9 00 for k = 0): reg = eax, base eax, no index.
                if (instruction.Op0Kind == OpKind.Register && instruction.Op0Register == Register.EAX
                    && instruction.Op1Kind == OpKind.Memory
                    && instruction.MemoryBase is Register.EAX or Register.RAX
                    && instruction.MemoryIndex == Register.None
                    && instruction.MemoryDisplacement64 <= 0xFF)
                {
                    return new(instruction.IP, TrapInstructionKind.UbsanUd1, instruction.Length, text, (int)instruction.MemoryDisplacement64);
                }
                return new(instruction.IP, TrapInstructionKind.OtherUndefined, instruction.Length, text, null);
            case Mnemonic.Ud0:
                return new(instruction.IP, TrapInstructionKind.OtherUndefined, instruction.Length, text, null);
            default:
                return new(instruction.IP, TrapInstructionKind.None, instruction.Length, text, null);
        }
    }
}
