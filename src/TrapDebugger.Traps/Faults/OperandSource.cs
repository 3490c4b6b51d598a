using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Names the memory an operand reads in the user's terms: following the loads before an instruction back to a register
/// that holds a variable or parameter, or to a stack slot that holds one, then naming each step as a member ("w->requests",
/// "c->ops->flush").</summary>
internal static class OperandSource
{
    private const int LookBack = 24;
    private const int MaxDepth = 6;
    private const int MaxCopies = 4;

    /// <summary>The source expression for [<paramref name="baseRegister"/> + <paramref name="displacement"/>] as read at
    /// <paramref name="address"/>, or null when no variable starts the chain.</summary>
    public static string? Name(StopContext context, ulong address, Register baseRegister, long displacement)
    {
        if (context.Symbols is not { } symbols) return null;
        var code = Decode(context, address) ?? [];
        return Name(symbols, code, code.Count, address, baseRegister, displacement, joins: null);
    }

    /// <summary>The source expression for [<paramref name="baseRegister"/> + <paramref name="displacement"/>] as read by the
    /// instruction at <paramref name="address"/>, which follows <paramref name="code"/>[..<paramref name="end"/>] (the
    /// instructions before it on its path); <paramref name="joins"/> tells addresses other paths jump to, when known.</summary>
    public static string? Name(ISymbolizer symbols, IReadOnlyList<Instruction> code, int end, ulong address, Register baseRegister,
        long displacement, Func<ulong, bool>? joins)
    {
        if (baseRegister is Register.None or Register.RIP) return null;
        var chain = new List<long>();
        var (register, offset, position, at) = (baseRegister, displacement, end, address);
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            var name = Disassembly.Name(register.GetFullRegister());
            // A slot of the frame (unoptimized code keeps every local there), else a register holding a variable.
            if (register.GetFullRegister() is Register.RBP or Register.RSP && symbols.DescribeFrameSlot(at, name, offset, chain) is { } slot)
                return slot;
            chain.Insert(0, offset);
            if (symbols.DescribeMemory(at, name, chain) is { } expression) return expression;
            var k = SourceLoad(code, position, register, joins);
            if (k < 0) return null;
            var earlier = code[k];
            if (earlier.MemoryIndex != Register.None || earlier.MemoryBase is Register.None or Register.RIP) return null;
            (register, offset, position, at) = (earlier.MemoryBase, (long)earlier.MemoryDisplacement64, k, earlier.IP);
        }
        return null;
    }

    /// <summary>The last instruction of the function before <paramref name="before"/> that gave <paramref name="register"/> its
    /// value, when it is a load from memory (mov reg, [base+disp]), followed through register copies and sign or zero
    /// extensions; null when another instruction computed it.</summary>
    public static Instruction? LoadOf(StopContext context, ulong before, Register register)
    {
        if (Decode(context, before) is not { } code) return null;
        var k = SourceLoad(code, code.Count, register, joins: null);
        return k < 0 ? null : code[k];
    }

    /// <summary>The index in <paramref name="code"/> of the load that gave <paramref name="register"/> the value it holds after
    /// <paramref name="code"/>[..<paramref name="end"/>], through copies (mov reg, reg) and extensions (movsxd, movzx, cdqe);
    /// -1 when an instruction computed it, a call or jump intervenes, or another path joins (<paramref name="joins"/>).</summary>
    public static int SourceLoad(IReadOnlyList<Instruction> code, int end, Register register, Func<ulong, bool>? joins)
    {
        var target = register.GetFullRegister();
        var info = new InstructionInfoFactory();
        var copies = 0;
        for (var k = end - 1; k >= 0; k--)
        {
            var i = code[k];
            if (joins?.Invoke(i.NextIP) == true) return -1;
            if (i.FlowControl is FlowControl.Call or FlowControl.IndirectCall or FlowControl.Return or FlowControl.UnconditionalBranch
                or FlowControl.IndirectBranch or FlowControl.Interrupt or FlowControl.Exception) return -1;
            if (!Writes(info.GetInfo(i), target)) continue;
            if (i.Mnemonic is Mnemonic.Cdqe or Mnemonic.Cwde && target == Register.RAX) continue; // extends the value in place
            if (i.Op0Kind != OpKind.Register || i.Op0Register.GetFullRegister() != target
                || i.Mnemonic is not (Mnemonic.Mov or Mnemonic.Movsxd or Mnemonic.Movzx or Mnemonic.Movsx)) return -1;
            if (i.Op1Kind == OpKind.Memory) return k;
            if (i.Op1Kind != OpKind.Register || ++copies > MaxCopies) return -1;
            target = i.Op1Register.GetFullRegister();
        }
        return -1;
    }

    /// <summary>"[rdi+0x14]" for a memory operand without an index.</summary>
    public static string Operand(in Instruction load)
    {
        var d = (long)load.MemoryDisplacement64;
        return $"[{Disassembly.Name(load.MemoryBase)}{(d == 0 ? "" : d > 0 ? $"+0x{d:x}" : $"-0x{-d:x}")}]";
    }

    /// <summary>True when an instruction with these used registers writes (any part of) the 64-bit register <paramref name="full"/>.</summary>
    public static bool Writes(InstructionInfo used, Register full)
    {
        foreach (var r in used.GetUsedRegisters())
        {
            if (r.Register.GetFullRegister() == full
                && r.Access is OpAccess.Write or OpAccess.CondWrite or OpAccess.ReadWrite or OpAccess.ReadCondWrite)
                return true;
        }
        return false;
    }

    // The instructions of the function from close before `before` up to it, decoded from the function's start when it is
    // close so boundaries are right; further in, a misaligned start shows as a decode that does not end exactly at `before`,
    // and nothing is returned.
    private static List<Instruction>? Decode(StopContext context, ulong before)
    {
        var code = context.Code ?? context.Memory;
        if (code is null || context.Symbols?.FindFunction(before) is not { } function) return null;
        var start = Math.Max(function.Start, before > LookBack * 8 ? before - LookBack * 8 : 0);
        var length = (int)(before - start);
        if (length <= 0) return null;
        var bytes = new byte[length];
        if (code.Read(start, bytes) != length) return null;
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(bytes), start);
        var list = new List<Instruction>();
        while (decoder.IP < before)
        {
            decoder.Decode(out var i);
            if (i.IsInvalid) return null;
            list.Add(i);
        }
        return decoder.IP == before ? list : null;
    }
}
