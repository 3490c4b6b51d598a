using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Variables;

/// <summary>Where a DWARF location expression says a value is.</summary>
public enum LocationKind
{
    /// <summary>In memory at <see cref="VariableLocation.Address"/>.</summary>
    Memory,
    /// <summary>In DWARF register <see cref="VariableLocation.Register"/>.</summary>
    Register,
    /// <summary>The value itself is known (DW_OP_stack_value, DW_OP_implicit_value, or assembled pieces): <see cref="VariableLocation.Bytes"/>.</summary>
    Value,
    /// <summary>The compiler kept no value here (empty expression, DW_OP_entry_value we cannot recover, missing registers).</summary>
    OptimizedOut,
}

/// <summary>The result of evaluating a location expression.</summary>
/// <param name="Kind">What kind of location.</param>
/// <param name="Address">For <see cref="LocationKind.Memory"/>.</param>
/// <param name="Register">For <see cref="LocationKind.Register"/>.</param>
/// <param name="Bytes">For <see cref="LocationKind.Value"/>.</param>
/// <param name="Reason">For <see cref="LocationKind.OptimizedOut"/>: why, when it is not the plain "optimized out".</param>
public readonly record struct VariableLocation(LocationKind Kind, ulong Address = 0, int Register = -1, byte[]? Bytes = null, string? Reason = null)
{
    /// <summary>A value that is not available.</summary>
    public static VariableLocation Missing(string? reason = null) => new(LocationKind.OptimizedOut, Reason: reason);
}

/// <summary>The frame facts a location expression reads: registers, the frame base, the CFA and memory.</summary>
public interface ILocationContext
{
    /// <summary>The value of DWARF register <paramref name="number"/> in the frame, or null when it is not recoverable there.</summary>
    ulong? Register(int number);

    /// <summary>The raw bytes of DWARF register <paramref name="number"/> (xmm registers are 16 bytes), or null.</summary>
    byte[]? RegisterBytes(int number);

    /// <summary>The frame base (DW_AT_frame_base evaluated), or null.</summary>
    ulong? FrameBase { get; }

    /// <summary>The canonical frame address.</summary>
    ulong? Cfa { get; }

    /// <summary>The process memory.</summary>
    IByteSource Memory { get; }

    /// <summary>The load bias of the module, added to DW_OP_addr operands.</summary>
    ulong LoadBias { get; }

    /// <summary>Resolves DW_OP_addrx/constx index <paramref name="index"/> to a link-time address.</summary>
    ulong ResolveAddressIndex(ulong index);

    /// <summary>The thread pointer (fs base), for DW_OP_form_tls_address.</summary>
    ulong? ThreadPointer { get; }

    /// <summary>The address of byte <paramref name="offset"/> of the thread-local block of the expression's module in the
    /// frame's thread (DW_OP_form_tls_address), or why it is unknown.</summary>
    ThreadLocalAddress ThreadLocal(ulong offset) => ThreadLocalAddress.Failed("thread-local storage is not known here");

    /// <summary>The value <paramref name="expression"/> (a DW_OP_regN) had on entry to the frame's function, recovered from the caller's call-site parameters; null when unknown.</summary>
    ulong? EntryValue(ReadOnlySpan<byte> expression) => null;
}

/// <summary>Evaluates DWARF location expressions (DWARF 5 §2.5, §2.6) for variables: memory, register, implicit and composite locations.</summary>
public static class LocationEvaluator
{
    private const int MaxStack = 256;
    private const int MaxSteps = 100_000;

    /// <summary>Evaluates <paramref name="expression"/> with <paramref name="size"/> the size of the value (for pieces).</summary>
    public static VariableLocation Evaluate(ReadOnlySpan<byte> expression, ILocationContext context, int size) =>
        Evaluate(expression, context, size, []);

    /// <summary>Evaluates <paramref name="expression"/> starting with <paramref name="initialStack"/> on the stack (bottom first):
    /// DW_AT_data_member_location expressions expect the address of the enclosing object there.</summary>
    public static VariableLocation Evaluate(ReadOnlySpan<byte> expression, ILocationContext context, int size, ReadOnlySpan<ulong> initialStack)
    {
        if (expression.IsEmpty) return VariableLocation.Missing();
        var stack = new List<ulong>(initialStack.ToArray());
        var reader = new ByteReader(expression, "location expression");
        int? register = null;
        bool stackValue = false;
        byte[]? implicitBytes = null;
        List<byte>? composite = null;
        bool compositeMissing = false;
        int steps = 0;
        ulong Pop()
        {
            if (stack.Count == 0) throw new InvalidDataException("stack underflow");
            var v = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return v;
        }
        void Push(ulong v)
        {
            if (stack.Count >= MaxStack) throw new InvalidDataException("stack overflow");
            stack.Add(v);
        }
        try
        {
            while (!reader.AtEnd)
            {
                if (++steps > MaxSteps) return VariableLocation.Missing("location expression does not terminate");
                byte op = reader.ReadU8();
                switch (op)
                {
                    case 0x03: Push(reader.ReadU64() + context.LoadBias); break; // DW_OP_addr
                    case 0xa1: Push(context.ResolveAddressIndex(reader.ReadUleb128()) + context.LoadBias); break; // addrx
                    case 0xa2: Push(context.ResolveAddressIndex(reader.ReadUleb128())); break; // constx
                    case 0xfb: Push(context.ResolveAddressIndex(reader.ReadUleb128()) + context.LoadBias); break; // GNU_addr_index
                    case >= 0x30 and <= 0x4f: Push((ulong)(op - 0x30)); break; // lit
                    case >= 0x50 and <= 0x6f: register = op - 0x50; break; // reg0..31
                    case 0x90: register = (int)reader.ReadUleb128(); break; // regx
                    case >= 0x70 and <= 0x8f: // breg
                        {
                            long off = reader.ReadSleb128();
                            if (context.Register(op - 0x70) is not { } r) return VariableLocation.Missing();
                            Push(r + (ulong)off);
                            break;
                        }
                    case 0x92: // bregx
                        {
                            int number = (int)reader.ReadUleb128();
                            long off = reader.ReadSleb128();
                            if (context.Register(number) is not { } r) return VariableLocation.Missing();
                            Push(r + (ulong)off);
                            break;
                        }
                    case 0x91: // fbreg
                        {
                            long off = reader.ReadSleb128();
                            if (context.FrameBase is not { } fb) return VariableLocation.Missing("frame base is not available");
                            Push(fb + (ulong)off);
                            break;
                        }
                    case 0x9c: // call_frame_cfa
                        if (context.Cfa is not { } cfa) return VariableLocation.Missing("CFA is not available");
                        Push(cfa);
                        break;
                    case 0x08: Push(reader.ReadU8()); break;
                    case 0x09: Push((ulong)reader.ReadI8()); break;
                    case 0x0a: Push(reader.ReadU16()); break;
                    case 0x0b: Push((ulong)(short)reader.ReadU16()); break;
                    case 0x0c: Push(reader.ReadU32()); break;
                    case 0x0d: Push((ulong)reader.ReadI32()); break;
                    case 0x0e: Push(reader.ReadU64()); break;
                    case 0x0f: Push((ulong)reader.ReadI64()); break;
                    case 0x10: Push(reader.ReadUleb128()); break;
                    case 0x11: Push((ulong)reader.ReadSleb128()); break;
                    case 0x12: Push(stack.Count > 0 ? stack[^1] : throw new InvalidDataException("stack underflow")); break; // dup
                    case 0x13: Pop(); break; // drop
                    case 0x14: Push(stack.Count > 1 ? stack[^2] : throw new InvalidDataException("stack underflow")); break; // over
                    case 0x15: // pick
                        {
                            int idx = reader.ReadU8();
                            if (idx >= stack.Count) throw new InvalidDataException("pick past the stack");
                            Push(stack[^(idx + 1)]);
                            break;
                        }
                    case 0x16: { var a = Pop(); var b = Pop(); Push(a); Push(b); break; } // swap
                    case 0x17: { var a = Pop(); var b = Pop(); var c = Pop(); Push(a); Push(c); Push(b); break; } // rot
                    case 0x06: // deref
                        {
                            Span<byte> buf = stackalloc byte[8];
                            if (context.Memory.Read(Pop(), buf) != 8) return VariableLocation.Missing("cannot read memory for DW_OP_deref");
                            Push(BitConverter.ToUInt64(buf));
                            break;
                        }
                    case 0x94: // deref_size
                        {
                            int n = reader.ReadU8();
                            if (n is < 1 or > 8) throw new InvalidDataException($"DW_OP_deref_size {n}");
                            Span<byte> buf = stackalloc byte[8];
                            buf.Clear();
                            if (context.Memory.Read(Pop(), buf[..n]) != n) return VariableLocation.Missing("cannot read memory for DW_OP_deref_size");
                            Push(BitConverter.ToUInt64(buf));
                            break;
                        }
                    case 0x19: Push((ulong)Math.Abs((long)Pop())); break; // abs
                    case 0x1a: { var b = Pop(); Push(Pop() & b); break; }
                    case 0x1b: { var b = Pop(); var a = Pop(); Push(b == 0 ? throw new InvalidDataException("division by zero") : (ulong)((long)a / (long)b)); break; }
                    case 0x1c: { var b = Pop(); Push(Pop() - b); break; }
                    case 0x1d: { var b = Pop(); var a = Pop(); Push(b == 0 ? throw new InvalidDataException("division by zero") : a % b); break; }
                    case 0x1e: { var b = Pop(); Push(Pop() * b); break; }
                    case 0x1f: Push((ulong)-(long)Pop()); break;
                    case 0x20: Push(~Pop()); break;
                    case 0x21: { var b = Pop(); Push(Pop() | b); break; }
                    case 0x22: { var b = Pop(); Push(Pop() + b); break; }
                    case 0x23: Push(Pop() + reader.ReadUleb128()); break; // plus_uconst
                    case 0x24: { var b = Pop(); Push(Pop() << (int)b); break; }
                    case 0x25: { var b = Pop(); Push(Pop() >> (int)b); break; }
                    case 0x26: { var b = Pop(); Push((ulong)((long)Pop() >> (int)b)); break; }
                    case 0x27: { var b = Pop(); Push(Pop() ^ b); break; }
                    case 0x29: { var b = Pop(); Push(Pop() == b ? 1UL : 0); break; }
                    case 0x2a: { var b = Pop(); Push((long)Pop() >= (long)b ? 1UL : 0); break; }
                    case 0x2b: { var b = Pop(); Push((long)Pop() > (long)b ? 1UL : 0); break; }
                    case 0x2c: { var b = Pop(); Push((long)Pop() <= (long)b ? 1UL : 0); break; }
                    case 0x2d: { var b = Pop(); Push((long)Pop() < (long)b ? 1UL : 0); break; }
                    case 0x2e: { var b = Pop(); Push(Pop() != b ? 1UL : 0); break; }
                    case 0x2f: // skip
                        {
                            short off = (short)reader.ReadU16();
                            reader.Position += off;
                            break;
                        }
                    case 0x28: // bra
                        {
                            short off = (short)reader.ReadU16();
                            if (Pop() != 0) reader.Position += off;
                            break;
                        }
                    case 0x96: break; // nop
                    case 0x9f: stackValue = true; break; // stack_value
                    case 0x9e: // implicit_value
                        {
                            int n = (int)Math.Min(reader.ReadUleb128(), (ulong)reader.Remaining);
                            implicitBytes = reader.ReadBytes(n).ToArray();
                            break;
                        }
                    case 0x9b or 0xe0: // form_tls_address, GNU_push_tls_address
                        {
                            var tls = context.ThreadLocal(Pop());
                            if (tls.Address is not { } address) return VariableLocation.Missing(tls.Error ?? "thread-local storage cannot be located");
                            Push(address);
                            break;
                        }
                    case 0xa3 or 0xf3: // entry_value, GNU_entry_value
                        {
                            int n = (int)Math.Min(reader.ReadUleb128(), (ulong)reader.Remaining);
                            var inner = reader.ReadBytes(n);
                            if (context.EntryValue(inner) is not { } entry) return VariableLocation.Missing();
                            Push(entry);
                            break;
                        }
                    case 0x93: // piece
                    case 0x9d: // bit_piece
                        {
                            int bytes = op == 0x93 ? (int)reader.ReadUleb128() : (int)((reader.ReadUleb128() + 7) / 8);
                            if (op == 0x9d) reader.ReadUleb128();
                            composite ??= [];
                            var piece = Materialize(register, stackValue, implicitBytes, stack, context, bytes);
                            if (piece is null) { compositeMissing = true; piece = new byte[bytes]; }
                            composite.AddRange(piece.AsSpan(0, Math.Min(piece.Length, bytes)).ToArray());
                            for (int pad = piece.Length; pad < bytes; pad++) composite.Add(0);
                            register = null;
                            stackValue = false;
                            implicitBytes = null;
                            stack.Clear();
                            break;
                        }
                    default:
                        return VariableLocation.Missing($"unsupported location operation 0x{op:x2}");
                }
            }
        }
        catch (InvalidDataException e)
        {
            return VariableLocation.Missing($"bad location expression: {e.Message}");
        }
        if (composite is not null)
            return compositeMissing ? VariableLocation.Missing("partly optimized out") : new VariableLocation(LocationKind.Value, Bytes: composite.ToArray());
        if (implicitBytes is not null) return new VariableLocation(LocationKind.Value, Bytes: implicitBytes);
        if (register is { } reg) return new VariableLocation(LocationKind.Register, Register: reg);
        if (stack.Count == 0) return VariableLocation.Missing();
        if (stackValue)
        {
            var bytes = BitConverter.GetBytes(stack[^1]);
            return new VariableLocation(LocationKind.Value, Bytes: bytes.AsSpan(0, Math.Clamp(size, 1, 8)).ToArray());
        }
        return new VariableLocation(LocationKind.Memory, Address: stack[^1]);
    }

    private static byte[]? Materialize(int? register, bool stackValue, byte[]? implicitBytes, List<ulong> stack, ILocationContext context, int size)
    {
        if (implicitBytes is not null) return implicitBytes;
        if (register is { } r) return context.RegisterBytes(r);
        if (stack.Count == 0) return null;
        if (stackValue) return BitConverter.GetBytes(stack[^1]);
        var buffer = new byte[Math.Clamp(size, 0, 1 << 16)];
        return context.Memory.Read(stack[^1], buffer) == buffer.Length ? buffer : null;
    }
}
