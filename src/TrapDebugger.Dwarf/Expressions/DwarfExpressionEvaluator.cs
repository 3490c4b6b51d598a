using System.Buffers.Binary;
using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf.Expressions;

/// <summary>Evaluates DWARF 2–5 location expressions on a bounded stack machine.</summary>
/// <remarks>Malformed bytes, stack underflow and exceeded bounds throw <see cref="InvalidDataException"/> naming the offset; a value the
/// program state cannot supply (an unavailable register, unreadable memory, an entry value) is a
/// <see cref="DwarfLocation.Unavailable"/> result with the reason.</remarks>
public sealed class DwarfExpressionEvaluator
{
    /// <summary>Creates an evaluator with the given bounds.</summary>
    public DwarfExpressionEvaluator(int maxSteps = 100_000, int maxStack = 1024, int addressSize = 8, int offsetSize = 4)
    {
        MaxSteps = maxSteps;
        MaxStack = maxStack;
        AddressSize = addressSize;
        OffsetSize = offsetSize;
    }

    /// <summary>The most operations one evaluation may execute (branches can loop).</summary>
    public int MaxSteps { get; }

    /// <summary>The deepest the value stack may grow.</summary>
    public int MaxStack { get; }

    /// <summary>The target address size in bytes (DW_OP_addr, DW_OP_deref).</summary>
    public int AddressSize { get; }

    /// <summary>The DWARF offset size (4 for DWARF32, 8 for DWARF64) of DW_OP_call_ref and DW_OP_implicit_pointer.</summary>
    public int OffsetSize { get; }

    /// <summary>Evaluates <paramref name="expression"/>; <paramref name="initialStack"/> is pushed first (the CFA, for CFI expressions).</summary>
    public DwarfLocation Evaluate(ReadOnlySpan<byte> expression, IDwarfExpressionContext context, ulong? initialStack = null)
    {
        var run = new Run(this, context);
        if (initialStack is { } v) run.Push(v, 0);
        return run.Execute(expression);
    }

    /// <summary>Evaluates a DW_AT_frame_base expression to an address: a register location yields that register's value.</summary>
    public ulong? EvaluateFrameBase(ReadOnlySpan<byte> expression, IDwarfExpressionContext context) =>
        Evaluate(expression, context) switch
        {
            DwarfLocation.Memory m => m.Address,
            DwarfLocation.Register r => context.ReadRegister(r.Number),
            DwarfLocation.StackValue s => s.Value,
            _ => null,
        };

    private ref struct Run
    {
        private readonly DwarfExpressionEvaluator _owner;
        private readonly IDwarfExpressionContext _context;
        private readonly List<ulong> _stack;
        private readonly ulong _addressMask;

        public Run(DwarfExpressionEvaluator owner, IDwarfExpressionContext context)
        {
            _owner = owner;
            _context = context;
            _stack = [];
            _addressMask = owner.AddressSize == 8 ? ulong.MaxValue : (1UL << (owner.AddressSize * 8)) - 1;
        }

        public void Push(ulong value, int offset)
        {
            if (_stack.Count >= _owner.MaxStack)
                throw Error(offset, $"the stack exceeds {_owner.MaxStack} entries");
            _stack.Add(value);
        }

        private ulong Pop(int offset, string op)
        {
            if (_stack.Count == 0) throw Error(offset, $"{op} needs a value but the stack is empty");
            ulong v = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            return v;
        }

        private ulong Peek(int depth, int offset, string op)
        {
            if (depth >= _stack.Count) throw Error(offset, $"{op} reaches {depth + 1} deep into a stack of {_stack.Count}");
            return _stack[_stack.Count - 1 - depth];
        }

        public DwarfLocation Execute(ReadOnlySpan<byte> expression)
        {
            var r = new ByteReader(expression, "DWARF expression");
            var pieces = new List<DwarfPiece>();
            DwarfLocation? pending = null; // a register, implicit or stack-value location awaiting DW_OP_piece or the end
            int steps = 0;
            int operationsSincePiece = 0;
            while (!r.AtEnd)
            {
                if (++steps > _owner.MaxSteps)
                    throw Error(r.Position, $"evaluation exceeded {_owner.MaxSteps} steps");
                int at = r.Position;
                byte code = r.ReadU8();
                var op = (DwarfOperation)code;
                string name = DwarfOperationNames.Name(code);
                operationsSincePiece = op is DwarfOperation.Piece or DwarfOperation.BitPiece ? 0
                    : op is DwarfOperation.Nop ? operationsSincePiece : operationsSincePiece + 1;
                if (pending != null && op is not (DwarfOperation.Piece or DwarfOperation.BitPiece or DwarfOperation.Nop))
                    throw Error(at, $"{name} follows a location that must end the expression or a piece");

                if (code >= (byte)DwarfOperation.Lit0 && code <= (byte)DwarfOperation.Lit31)
                {
                    Push((ulong)(code - (byte)DwarfOperation.Lit0), at);
                    continue;
                }
                if (code >= (byte)DwarfOperation.Reg0 && code <= (byte)DwarfOperation.Reg31)
                {
                    pending = new DwarfLocation.Register(code - (byte)DwarfOperation.Reg0);
                    continue;
                }
                if (code >= (byte)DwarfOperation.Breg0 && code <= (byte)DwarfOperation.Breg31)
                {
                    long offset = r.ReadSleb128();
                    if (RegisterPlus(code - (byte)DwarfOperation.Breg0, offset, at) is { } unavailable) return unavailable;
                    continue;
                }

                switch (op)
                {
                    case DwarfOperation.Addr:
                        Push((r.ReadUnsigned(_owner.AddressSize) + _context.LoadBias) & _addressMask, at);
                        break;
                    case DwarfOperation.Addrx or DwarfOperation.GnuAddrIndex or DwarfOperation.Constx or DwarfOperation.GnuConstIndex:
                        {
                            ulong index = r.ReadUleb128();
                            if (_context.ReadAddressTableEntry(index) is not { } entry)
                                return new DwarfLocation.Unavailable($"entry {index} of the address table (.debug_addr) is not available");
                            bool isAddress = op is DwarfOperation.Addrx or DwarfOperation.GnuAddrIndex;
                            Push(isAddress ? (entry + _context.LoadBias) & _addressMask : entry, at);
                            break;
                        }
                    case DwarfOperation.Const1u: Push(r.ReadU8(), at); break;
                    case DwarfOperation.Const1s: Push((ulong)(long)r.ReadI8(), at); break;
                    case DwarfOperation.Const2u: Push(r.ReadU16(), at); break;
                    case DwarfOperation.Const2s: Push((ulong)(long)(short)r.ReadU16(), at); break;
                    case DwarfOperation.Const4u: Push(r.ReadU32(), at); break;
                    case DwarfOperation.Const4s: Push((ulong)(long)r.ReadI32(), at); break;
                    case DwarfOperation.Const8u: Push(r.ReadU64(), at); break;
                    case DwarfOperation.Const8s: Push((ulong)r.ReadI64(), at); break;
                    case DwarfOperation.Constu: Push(r.ReadUleb128(), at); break;
                    case DwarfOperation.Consts: Push((ulong)r.ReadSleb128(), at); break;
                    case DwarfOperation.Dup: Push(Peek(0, at, name), at); break;
                    case DwarfOperation.Drop: Pop(at, name); break;
                    case DwarfOperation.Over: Push(Peek(1, at, name), at); break;
                    case DwarfOperation.Pick: Push(Peek(r.ReadU8(), at, name), at); break;
                    case DwarfOperation.Swap:
                        {
                            ulong a = Pop(at, name), b = Pop(at, name);
                            Push(a, at);
                            Push(b, at);
                            break;
                        }
                    case DwarfOperation.Rot:
                        {
                            // The top entry moves to third; the second and third move up.
                            ulong a = Pop(at, name), b = Pop(at, name), c = Pop(at, name);
                            Push(a, at);
                            Push(c, at);
                            Push(b, at);
                            break;
                        }
                    case DwarfOperation.Deref:
                        if (Dereference(Pop(at, name), _owner.AddressSize, at) is { } derefFailure) return derefFailure;
                        break;
                    case DwarfOperation.DerefSize:
                        {
                            int size = r.ReadU8();
                            if (size is 0 or > 8) throw Error(at, $"{name} size {size} is not between 1 and 8");
                            if (Dereference(Pop(at, name), size, at) is { } failure) return failure;
                            break;
                        }
                    case DwarfOperation.DerefType or DwarfOperation.GnuDerefType:
                        {
                            int size = r.ReadU8();
                            ulong die = r.ReadUleb128();
                            if (size is 0 or > 8) return new DwarfLocation.Unavailable($"{name} of a {size}-byte value is not supported");
                            if (Dereference(Pop(at, name), size, at) is { } failure) return failure;
                            Push(Convert(Pop(at, name), die), at);
                            break;
                        }
                    case DwarfOperation.Xderef or DwarfOperation.XderefSize or DwarfOperation.XderefType:
                        return new DwarfLocation.Unavailable($"{name} needs address spaces, which x86-64 does not have");
                    case DwarfOperation.Abs:
                        {
                            long v = (long)Pop(at, name);
                            Push((ulong)(v < 0 ? -v : v), at);
                            break;
                        }
                    case DwarfOperation.And: Binary(at, name, (a, b) => a & b); break;
                    case DwarfOperation.Div:
                        {
                            long divisor = (long)Pop(at, name), dividend = (long)Pop(at, name);
                            if (divisor == 0) return new DwarfLocation.Unavailable("the expression divides by zero");
                            Push(divisor == -1 ? (ulong)(-dividend) : (ulong)(dividend / divisor), at);
                            break;
                        }
                    case DwarfOperation.Minus: Binary(at, name, (a, b) => a - b); break;
                    case DwarfOperation.Mod:
                        {
                            ulong divisor = Pop(at, name), dividend = Pop(at, name);
                            if (divisor == 0) return new DwarfLocation.Unavailable("the expression divides by zero");
                            Push(dividend % divisor, at);
                            break;
                        }
                    case DwarfOperation.Mul: Binary(at, name, (a, b) => a * b); break;
                    case DwarfOperation.Neg: Push((ulong)(-(long)Pop(at, name)), at); break;
                    case DwarfOperation.Not: Push(~Pop(at, name), at); break;
                    case DwarfOperation.Or: Binary(at, name, (a, b) => a | b); break;
                    case DwarfOperation.Plus: Binary(at, name, (a, b) => a + b); break;
                    case DwarfOperation.PlusUconst: Push(Pop(at, name) + r.ReadUleb128(), at); break;
                    case DwarfOperation.Shl: Binary(at, name, (a, b) => b >= 64 ? 0 : a << (int)b); break;
                    case DwarfOperation.Shr: Binary(at, name, (a, b) => b >= 64 ? 0 : a >> (int)b); break;
                    case DwarfOperation.Shra: Binary(at, name, (a, b) => (ulong)((long)a >> (int)Math.Min(b, 63))); break;
                    case DwarfOperation.Xor: Binary(at, name, (a, b) => a ^ b); break;
                    case DwarfOperation.Eq: Binary(at, name, (a, b) => a == b ? 1UL : 0); break;
                    case DwarfOperation.Ne: Binary(at, name, (a, b) => a != b ? 1UL : 0); break;
                    case DwarfOperation.Ge: Binary(at, name, (a, b) => (long)a >= (long)b ? 1UL : 0); break;
                    case DwarfOperation.Gt: Binary(at, name, (a, b) => (long)a > (long)b ? 1UL : 0); break;
                    case DwarfOperation.Le: Binary(at, name, (a, b) => (long)a <= (long)b ? 1UL : 0); break;
                    case DwarfOperation.Lt: Binary(at, name, (a, b) => (long)a < (long)b ? 1UL : 0); break;
                    case DwarfOperation.Skip or DwarfOperation.Bra:
                        {
                            short delta = (short)r.ReadU16();
                            bool take = op == DwarfOperation.Skip || Pop(at, name) != 0;
                            if (!take) break;
                            long target = r.Position + (long)delta;
                            if (target < 0 || target > expression.Length)
                                throw Error(at, $"{name} jumps to offset {target}, outside the {expression.Length}-byte expression");
                            r.Position = (int)target;
                            break;
                        }
                    case DwarfOperation.Regx:
                        pending = new DwarfLocation.Register(Register(ref r, at));
                        break;
                    case DwarfOperation.Bregx:
                        {
                            int reg = Register(ref r, at);
                            if (RegisterPlus(reg, r.ReadSleb128(), at) is { } unavailable) return unavailable;
                            break;
                        }
                    case DwarfOperation.Fbreg:
                        {
                            long offset = r.ReadSleb128();
                            if (_context.FrameBase is not { } frameBase)
                                return new DwarfLocation.Unavailable("the frame base of the function is not available");
                            Push((frameBase + (ulong)offset) & _addressMask, at);
                            break;
                        }
                    case DwarfOperation.CallFrameCfa:
                        if (_context.CanonicalFrameAddress is not { } cfa)
                            return new DwarfLocation.Unavailable("the canonical frame address is not available");
                        Push(cfa, at);
                        break;
                    case DwarfOperation.Piece:
                        pieces.Add(new DwarfPiece(FinishPiece(ref pending), r.ReadUleb128() * 8));
                        break;
                    case DwarfOperation.BitPiece:
                        {
                            ulong size = r.ReadUleb128();
                            ulong offset = r.ReadUleb128();
                            pieces.Add(new DwarfPiece(FinishPiece(ref pending), size, offset));
                            break;
                        }
                    case DwarfOperation.ImplicitValue:
                        {
                            ulong length = r.ReadUleb128();
                            if (length > (ulong)r.Remaining) throw Error(at, $"{name} of {length} bytes runs past the end");
                            pending = new DwarfLocation.ImplicitValue(r.ReadBytes((int)length).ToArray());
                            break;
                        }
                    case DwarfOperation.StackValue:
                        pending = new DwarfLocation.StackValue(Pop(at, name));
                        break;
                    case DwarfOperation.ImplicitPointer or DwarfOperation.GnuImplicitPointer:
                        {
                            ulong die = r.ReadUnsigned(_owner.OffsetSize);
                            long offset = r.ReadSleb128();
                            return new DwarfLocation.Unavailable(
                                $"the value is a pointer to an optimized-out object (DIE 0x{die:x} + {offset}) that has no address");
                        }
                    case DwarfOperation.EntryValue or DwarfOperation.GnuEntryValue:
                        {
                            ulong length = r.ReadUleb128();
                            if (length > (ulong)r.Remaining) throw Error(at, $"{name} block of {length} bytes runs past the end");
                            r.Skip((long)length);
                            return new DwarfLocation.Unavailable("value at function entry not recoverable");
                        }
                    case DwarfOperation.FormTlsAddress or DwarfOperation.GnuPushTlsAddress:
                        return new DwarfLocation.Unavailable($"{name}: thread-local storage addresses are not supported yet");
                    case DwarfOperation.GnuParameterRef:
                        r.ReadU32();
                        return new DwarfLocation.Unavailable("the parameter's value at the call site (DW_OP_GNU_parameter_ref) is not recoverable");
                    case DwarfOperation.GnuVariableValue:
                        r.ReadUnsigned(_owner.OffsetSize);
                        return new DwarfLocation.Unavailable("DW_OP_GNU_variable_value is not supported");
                    case DwarfOperation.PushObjectAddress:
                        return new DwarfLocation.Unavailable("DW_OP_push_object_address needs the object being evaluated, which is not known here");
                    case DwarfOperation.Call2 or DwarfOperation.Call4 or DwarfOperation.CallRef:
                        return new DwarfLocation.Unavailable($"{name} (calling another DIE's expression) is not supported");
                    case DwarfOperation.ConstType or DwarfOperation.GnuConstType:
                        {
                            ulong die = r.ReadUleb128();
                            int size = r.ReadU8();
                            var bytes = r.ReadBytes(size);
                            if (size > 8) return new DwarfLocation.Unavailable($"{name} of a {size}-byte constant is not supported");
                            Span<byte> buffer = stackalloc byte[8];
                            buffer.Clear();
                            bytes.CopyTo(buffer);
                            Push(Convert(BinaryPrimitives.ReadUInt64LittleEndian(buffer), die), at);
                            break;
                        }
                    case DwarfOperation.RegvalType or DwarfOperation.GnuRegvalType:
                        {
                            int reg = Register(ref r, at);
                            ulong die = r.ReadUleb128();
                            if (_context.ReadRegister(reg) is not { } value)
                                return new DwarfLocation.Unavailable($"register {X86_64Registers.Name((ulong)reg)} is not available in this frame");
                            Push(Convert(value, die), at);
                            break;
                        }
                    case DwarfOperation.Convert or DwarfOperation.GnuConvert or DwarfOperation.Reinterpret or DwarfOperation.GnuReinterpret:
                        {
                            ulong die = r.ReadUleb128();
                            // DIE offset 0 means the generic (address-sized) type.
                            Push(die == 0 ? Pop(at, name) : Convert(Pop(at, name), die), at);
                            break;
                        }
                    case DwarfOperation.Nop or DwarfOperation.GnuUninit:
                        break;
                    case DwarfOperation.GnuEncodedAddr:
                        return new DwarfLocation.Unavailable("DW_OP_GNU_encoded_addr is not supported");
                    default:
                        throw Error(at, $"unknown operation 0x{code:x2}");
                }
            }

            if (pieces.Count > 0)
            {
                if (pending != null || operationsSincePiece > 0)
                    throw Error(expression.Length, "operations after the last DW_OP_piece are not followed by a piece");
                return new DwarfLocation.Composite(pieces);
            }
            if (pending != null) return pending;
            if (_stack.Count == 0) return new DwarfLocation.Unavailable("the value is optimized out");
            return new DwarfLocation.Memory(_stack[^1] & _addressMask);
        }


        private DwarfLocation FinishPiece(ref DwarfLocation? pending)
        {
            DwarfLocation location;
            if (pending != null) location = pending;
            else if (_stack.Count > 0) location = new DwarfLocation.Memory(_stack[^1] & _addressMask);
            else location = new DwarfLocation.Unavailable("this piece of the value is optimized out");
            pending = null;
            _stack.Clear();
            return location;
        }

        private DwarfLocation? RegisterPlus(int register, long offset, int at)
        {
            if (_context.ReadRegister(register) is not { } value)
                return new DwarfLocation.Unavailable($"register {X86_64Registers.Name((ulong)register)} is not available in this frame");
            Push((value + (ulong)offset) & _addressMask, at);
            return null;
        }

        private DwarfLocation? Dereference(ulong address, int size, int at)
        {
            Span<byte> buffer = stackalloc byte[8];
            buffer.Clear();
            if (!_context.ReadMemory(address, buffer[..size]))
                return new DwarfLocation.Unavailable($"memory at 0x{address:x} is not readable");
            Push(BinaryPrimitives.ReadUInt64LittleEndian(buffer), at);
            return null;
        }

        private ulong Convert(ulong value, ulong die)
        {
            if (_context.ResolveBaseType(die) is not var (size, signed) || size is <= 0 or >= 8) return value;
            int bits = size * 8;
            ulong mask = (1UL << bits) - 1;
            value &= mask;
            if (signed && (value >> (bits - 1)) != 0) value |= ~mask;
            return value;
        }

        private void Binary(int at, string name, Func<ulong, ulong, ulong> f)
        {
            ulong b = Pop(at, name), a = Pop(at, name);
            Push(f(a, b), at);
        }

        private static int Register(ref ByteReader r, int at)
        {
            ulong reg = r.ReadUleb128();
            if (reg > 0xffff) throw Error(at, $"register number {reg} is out of range");
            return (int)reg;
        }

        private static InvalidDataException Error(int offset, string what) => new($"DWARF expression at offset 0x{offset:x}: {what}");
    }
}
