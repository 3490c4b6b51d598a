using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Names the memory an operand reads in the user's terms: following the loads before an instruction back to a register
/// that holds a variable or parameter, then naming each step as a member ("w->requests", "c->ops->flush").</summary>
internal static class OperandSource
{
    private const int LookBack = 24;
    private const int MaxDepth = 6;

    /// <summary>The source expression for [<paramref name="baseRegister"/> + <paramref name="displacement"/>] as read at
    /// <paramref name="address"/>, or null when no variable starts the chain.</summary>
    public static string? Name(StopContext context, ulong address, Register baseRegister, long displacement)
    {
        if (context.Symbols is not { } symbols || baseRegister is Register.None or Register.RIP) return null;
        var chain = new List<long> { displacement };
        var (register, at) = (baseRegister, address);
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            if (symbols.DescribeMemory(at, Disassembly.Name(register.GetFullRegister()), chain) is { } expression) return expression;
            if (LoadOf(context, at, register) is not { } earlier || earlier.MemoryIndex != Register.None
                || earlier.MemoryBase is Register.None or Register.RIP or Register.RSP or Register.RBP) return null;
            chain.Insert(0, (long)earlier.MemoryDisplacement64);
            (register, at) = (earlier.MemoryBase, earlier.IP);
        }
        return null;
    }

    /// <summary>The last instruction of the function before <paramref name="before"/> that writes <paramref name="register"/>,
    /// when it is a load from memory (mov reg, [base+disp]); null when another instruction wrote it last.</summary>
    public static Instruction? LoadOf(StopContext context, ulong before, Register register)
    {
        var code = context.Code ?? context.Memory;
        if (code is null || context.Symbols?.FindFunction(before) is not { } function) return null;
        var start = Math.Max(function.Start, before > LookBack * 8 ? before - LookBack * 8 : 0);
        var length = (int)(before - start);
        if (length <= 0) return null;
        var bytes = new byte[length];
        if (code.Read(start, bytes) != length) return null;
        // Decoded from the function's start when it is close, so instruction boundaries are right; further in, a misaligned
        // start shows as a decode that does not end exactly at the instruction, and nothing is claimed.
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(bytes), start);
        Instruction? last = null;
        var target = register.GetFullRegister();
        while (decoder.IP < before)
        {
            decoder.Decode(out var i);
            if (i.IsInvalid) return null;
            if (i.Op0Kind == OpKind.Register && i.Op0Register.GetFullRegister() == target && i.Mnemonic is not (Mnemonic.Cmp or Mnemonic.Test))
                last = i.Mnemonic is Mnemonic.Mov or Mnemonic.Movsxd or Mnemonic.Movzx or Mnemonic.Movsx && i.Op1Kind == OpKind.Memory ? i : null;
        }
        return decoder.IP == before ? last : null;
    }

    /// <summary>"[rdi+0x14]" for a memory operand without an index.</summary>
    public static string Operand(in Instruction load)
    {
        var d = (long)load.MemoryDisplacement64;
        return $"[{Disassembly.Name(load.MemoryBase)}{(d == 0 ? "" : d > 0 ? $"+0x{d:x}" : $"-0x{-d:x}")}]";
    }
}
