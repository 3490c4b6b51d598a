using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Names what a call through a bad address meant to call, from the call instruction that the return address on top of
/// the stack follows: the imported symbol behind a PLT stub or GOT slot, or the memory the function pointer was loaded from.</summary>
internal static class CallTarget
{
    /// <summary>A sentence naming the callee of the faulting call, or null when the call cannot be found or named.</summary>
    public static string? Describe(StopContext context)
    {
        var memory = context.Memory;
        var code = context.Code ?? memory;
        if (memory is null || code is null || memory.ReadWord(context.Registers.Rsp) is not { } returnAddress) return null;
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
            : call.Op0Kind == OpKind.Register ? OperandSource.LoadOf(context, call.IP, call.Op0Register) : null;
        if (pointerLoad is not { } load || load.MemoryIndex != Register.None || load.MemoryBase is Register.None or Register.RIP) return null;
        var where = $"[{Disassembly.Name(load.MemoryBase)}{Offset((long)load.MemoryDisplacement64)}] ({Disassembly.Format(load)})";
        if (OperandSource.Name(context, load.IP, load.MemoryBase, (long)load.MemoryDisplacement64) is { } expression)
            return context.Registers.Rip == 0 ? $"`{expression}` is null" : $"`{expression}` is 0x{context.Registers.Rip:x}";
        return $"the function pointer at {where}";
    }

    private static string Offset(long displacement) => displacement == 0 ? "" : displacement > 0 ? $"+0x{displacement:x}" : $"-0x{-displacement:x}";

    // A call instruction that ends exactly at the return address: call rel32, call [rip+disp], call reg, call [reg+disp].
    private static Instruction? CallBefore(IByteSource code, ulong returnAddress)
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
    private static ulong? PltSlot(IByteSource code, ulong stub)
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

}
