using System.Buffers.Binary;
using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Names what a call through a bad address meant to call, from the call instruction that the return address on top of
/// the stack follows: the imported symbol behind a PLT stub or GOT slot, or the memory the function pointer was loaded from.</summary>
internal static class CallTarget
{
    private const int LookBack = 24;

    /// <summary>A sentence naming the callee of the faulting call, or null when the call cannot be found or named.</summary>
    public static string? Describe(StopContext context)
    {
        var memory = context.Memory;
        var code = context.Code ?? memory;
        if (memory is null || code is null || ReadWord(memory, context.Registers.Rsp) is not { } returnAddress) return null;
        if (CallBefore(code, returnAddress) is not { } call) return null;
        var symbols = context.Symbols;
        ulong? slot = null;
        if (call.Op0Kind == OpKind.NearBranch64)
            slot = PltSlot(code, call.NearBranch64);
        else if (call.Op0Kind == OpKind.Memory && call.IsIPRelativeMemoryOperand)
            slot = call.IPRelativeMemoryAddress;
        if (slot is { } s && symbols?.SlotSymbol(s) is { } imported)
        {
            return imported.IsWeakUndefined
                ? $"weak symbol `{imported.Name}` is not defined in any loaded module"
                : $"`{imported.Name}` (through its GOT slot at 0x{s:x}, which holds 0x{context.Registers.Rip:x})";
        }
        // call [reg+disp], or call reg after reg was loaded from [base+disp]: follow the loads back to a register that holds a
        // variable, then name the members (c->ops->flush).
        Instruction? pointerLoad = call.Op0Kind == OpKind.Memory ? call
            : call.Op0Kind == OpKind.Register && symbols?.FindFunction(call.IP) is { } f ? LoadOf(code, f, call.IP, call.Op0Register) : null;
        if (pointerLoad is not { } load || load.MemoryIndex != Register.None || load.MemoryBase is Register.None or Register.RIP) return null;
        var where = $"[{Disassembly.Name(load.MemoryBase)}{Offset((long)load.MemoryDisplacement64)}] ({Disassembly.Format(load)})";
        if (symbols?.FindFunction(call.IP) is not { } caller) return $"the function pointer at {where}";
        var chain = new List<long> { (long)load.MemoryDisplacement64 };
        var (register, at) = (load.MemoryBase, load.IP);
        for (var depth = 0; depth < 6; depth++)
        {
            if (symbols.DescribeMemory(at, Disassembly.Name(register.GetFullRegister()), chain) is { } expression)
                return context.Registers.Rip == 0 ? $"`{expression}` is null" : $"`{expression}` is 0x{context.Registers.Rip:x}";
            if (LoadOf(code, caller, at, register) is not { } earlier || earlier.MemoryIndex != Register.None
                || earlier.MemoryBase is Register.None or Register.RIP or Register.RSP or Register.RBP) break;
            chain.Insert(0, (long)earlier.MemoryDisplacement64);
            (register, at) = (earlier.MemoryBase, earlier.IP);
        }
        return $"the function pointer at {where}";
    }

    private static string Offset(long displacement) => displacement == 0 ? "" : displacement > 0 ? $"+0x{displacement:x}" : $"-0x{-displacement:x}";

    // The last instruction before `before` that writes `register`, when it is a load from memory.
    private static Instruction? LoadOf(IMemoryReader code, FunctionBounds function, ulong before, Register register)
    {
        var start = Math.Max(function.Start, before > LookBack * 8 ? before - LookBack * 8 : 0);
        var length = (int)(before - start);
        if (length <= 0) return null;
        var bytes = new byte[length];
        if (code.Read(start, bytes) != length) return null;
        // Decode from the function's start when it is close, so instruction boundaries are right.
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(bytes), start);
        Instruction? last = null;
        var target = register.GetFullRegister();
        while (decoder.IP < before)
        {
            decoder.Decode(out var i);
            if (i.IsInvalid) return null;
            if (i.Op0Kind == OpKind.Register && i.Op0Register.GetFullRegister() == target && i.Mnemonic != Mnemonic.Cmp && i.Mnemonic != Mnemonic.Test)
                last = i.Mnemonic == Mnemonic.Mov && i.Op1Kind == OpKind.Memory ? i : null;
        }
        return decoder.IP == before ? last : null;
    }

    // A call instruction that ends exactly at the return address: call rel32, call [rip+disp], call reg, call [reg+disp].
    private static Instruction? CallBefore(IMemoryReader code, ulong returnAddress)
    {
        Span<byte> bytes = stackalloc byte[8];
        if (returnAddress < 8 || code.Read(returnAddress - 8, bytes) != 8) return null;
        var copy = bytes.ToArray();
        foreach (var length in new[] { 5, 6, 2, 3, 4, 7 })
        {
            var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(copy, 8 - length, length), returnAddress - (ulong)length);
            decoder.Decode(out var i);
            if (!i.IsInvalid && i.Length == length && i.FlowControl is FlowControl.Call or FlowControl.IndirectCall) return i;
        }
        return null;
    }

    // A PLT stub: [endbr64;] [bnd] jmp [rip+slot] — the GOT slot it jumps through.
    private static ulong? PltSlot(IMemoryReader code, ulong stub)
    {
        var bytes = new byte[16];
        if (code.Read(stub, bytes) != bytes.Length) return null;
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(bytes), stub);
        for (var n = 0; n < 3; n++)
        {
            decoder.Decode(out var i);
            if (i.Mnemonic == Mnemonic.Endbr64) continue;
            return i.Mnemonic == Mnemonic.Jmp && i.Op0Kind == OpKind.Memory && i.IsIPRelativeMemoryOperand ? i.IPRelativeMemoryAddress : null;
        }
        return null;
    }

    private static ulong? ReadWord(IMemoryReader memory, ulong address)
    {
        Span<byte> word = stackalloc byte[8];
        return memory.Read(address, word) == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(word) : null;
    }
}
