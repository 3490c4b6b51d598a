using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Unwinding;

/// <summary>Evaluates the DWARF expressions that call frame information uses (DW_CFA_def_cfa_expression,
/// DW_CFA_expression, DW_CFA_val_expression): register-relative addresses, memory reads and integer arithmetic.</summary>
/// <remarks>These are the forms PLT stubs and signal trampolines use; operations that only make sense for variable
/// locations (pieces, entry values, TLS) are rejected as unsupported.</remarks>
internal static class CfiExpression
{
    private const int MaxStack = 64;
    private const int MaxSteps = 10_000;

    /// <summary>Evaluates <paramref name="expression"/> with <paramref name="initial"/> pushed first (the CFA for register rules); null when it cannot.</summary>
    public static ulong? Evaluate(ReadOnlySpan<byte> expression, RegisterSet registers, IByteSource memory, ulong? initial)
    {
        var stack = new Stack<ulong>();
        if (initial is { } init) stack.Push(init);
        var reader = new ByteReader(expression, "CFI expression");
        int steps = 0;
        try
        {
            while (!reader.AtEnd)
            {
                if (++steps > MaxSteps || stack.Count > MaxStack) return null;
                byte op = reader.ReadU8();
                switch (op)
                {
                    case >= 0x30 and <= 0x4f: stack.Push((ulong)(op - 0x30)); break; // DW_OP_lit0..31
                    case >= 0x70 and <= 0x8f: // DW_OP_breg0..31
                        {
                            long offset = reader.ReadSleb128();
                            if (registers.Get(op - 0x70) is not { } r) return null;
                            stack.Push(r + (ulong)offset);
                            break;
                        }
                    case 0x92: // DW_OP_bregx
                        {
                            int reg = (int)reader.ReadUleb128();
                            long offset = reader.ReadSleb128();
                            if (registers.Get(reg) is not { } r) return null;
                            stack.Push(r + (ulong)offset);
                            break;
                        }
                    case 0x03: stack.Push(reader.ReadU64()); break; // DW_OP_addr
                    case 0x08: stack.Push(reader.ReadU8()); break; // const1u
                    case 0x09: stack.Push((ulong)reader.ReadI8()); break; // const1s
                    case 0x0a: stack.Push(reader.ReadU16()); break; // const2u
                    case 0x0b: stack.Push((ulong)(short)reader.ReadU16()); break; // const2s
                    case 0x0c: stack.Push(reader.ReadU32()); break; // const4u
                    case 0x0d: stack.Push((ulong)reader.ReadI32()); break; // const4s
                    case 0x0e: stack.Push(reader.ReadU64()); break; // const8u
                    case 0x0f: stack.Push((ulong)reader.ReadI64()); break; // const8s
                    case 0x10: stack.Push(reader.ReadUleb128()); break; // constu
                    case 0x11: stack.Push((ulong)reader.ReadSleb128()); break; // consts
                    case 0x12: stack.Push(stack.Peek()); break; // dup
                    case 0x13: stack.Pop(); break; // drop
                    case 0x14: { var a = stack.Pop(); var b = stack.Peek(); stack.Push(a); stack.Push(b); break; } // over
                    case 0x16: { var a = stack.Pop(); var b = stack.Pop(); stack.Push(a); stack.Push(b); break; } // swap
                    case 0x06: // deref
                        {
                            Span<byte> buf = stackalloc byte[8];
                            if (memory.Read(stack.Pop(), buf) != 8) return null;
                            stack.Push(BitConverter.ToUInt64(buf));
                            break;
                        }
                    case 0x94: // deref_size
                        {
                            int size = reader.ReadU8();
                            if (size is < 1 or > 8) return null;
                            Span<byte> buf = stackalloc byte[8];
                            buf.Clear();
                            if (memory.Read(stack.Pop(), buf[..size]) != size) return null;
                            stack.Push(BitConverter.ToUInt64(buf));
                            break;
                        }
                    case 0x23: stack.Push(stack.Pop() + reader.ReadUleb128()); break; // plus_uconst
                    case 0x1a: Binary(stack, (a, b) => a & b); break; // and
                    case 0x1c: Binary(stack, (a, b) => a - b); break; // minus
                    case 0x1e: Binary(stack, (a, b) => a * b); break; // mul
                    case 0x21: Binary(stack, (a, b) => a | b); break; // or
                    case 0x22: Binary(stack, (a, b) => a + b); break; // plus
                    case 0x24: Binary(stack, (a, b) => a << (int)b); break; // shl
                    case 0x25: Binary(stack, (a, b) => a >> (int)b); break; // shr
                    case 0x26: Binary(stack, (a, b) => (ulong)((long)a >> (int)b)); break; // shra
                    case 0x27: Binary(stack, (a, b) => a ^ b); break; // xor
                    case 0x29: Binary(stack, (a, b) => a == b ? 1UL : 0); break; // eq
                    case 0x2a: Binary(stack, (a, b) => (long)a >= (long)b ? 1UL : 0); break; // ge
                    case 0x2b: Binary(stack, (a, b) => (long)a > (long)b ? 1UL : 0); break; // gt
                    case 0x2c: Binary(stack, (a, b) => (long)a <= (long)b ? 1UL : 0); break; // le
                    case 0x2d: Binary(stack, (a, b) => (long)a < (long)b ? 1UL : 0); break; // lt
                    case 0x2e: Binary(stack, (a, b) => a != b ? 1UL : 0); break; // ne
                    case 0x1f: stack.Push((ulong)-(long)stack.Pop()); break; // neg
                    case 0x20: stack.Push(~stack.Pop()); break; // not
                    case 0x96: break; // nop
                    default: return null;
                }
            }
            return stack.Count > 0 ? stack.Peek() : null;
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException)
        {
            return null;
        }
    }

    private static void Binary(Stack<ulong> stack, Func<ulong, ulong, ulong> op)
    {
        var b = stack.Pop();
        var a = stack.Pop();
        stack.Push(op(a, b));
    }
}
