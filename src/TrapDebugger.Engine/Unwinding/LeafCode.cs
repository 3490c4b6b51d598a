using Iced.Intel;

namespace TrapDebugger.Engine.Unwinding;

/// <summary>Reads the straight-line start of a function to see whether it has touched the stack pointer yet, for code the
/// call frame information does not describe.</summary>
internal static class LeafCode
{
    // Assembly leaf functions without CFI are short; further in, a linear read of the code proves nothing.
    private const int MaxBytes = 256;

    /// <summary>True when the instructions from <paramref name="start"/> up to <paramref name="pc"/> run straight through (no
    /// return or unconditional jump before it, decoded boundaries meeting it exactly) and none of them writes rsp: the
    /// return address the call pushed is still at rsp.</summary>
    public static bool KeepsStackPointer(IByteSource memory, ulong start, ulong pc)
    {
        if (pc <= start || pc - start > MaxBytes) return false;
        var bytes = new byte[pc - start];
        if (memory.Read(start, bytes) != bytes.Length) return false;
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes), start);
        var info = new InstructionInfoFactory();
        while (decoder.IP < pc)
        {
            decoder.Decode(out var instruction);
            if (instruction.IsInvalid) return false;
            // A system call returns to the next instruction with the stack as it was (Iced counts it as a call).
            if (instruction.Mnemonic == Mnemonic.Syscall) continue;
            if (instruction.FlowControl is FlowControl.Return or FlowControl.UnconditionalBranch or FlowControl.IndirectBranch
                or FlowControl.Call or FlowControl.IndirectCall or FlowControl.Interrupt)
                return false;
            foreach (var used in info.GetInfo(instruction).GetUsedRegisters())
            {
                if (used.Register.GetFullRegister() == Register.RSP
                    && used.Access is OpAccess.Write or OpAccess.CondWrite or OpAccess.ReadWrite or OpAccess.ReadCondWrite)
                    return false;
            }
        }
        return decoder.IP == pc;
    }
}
