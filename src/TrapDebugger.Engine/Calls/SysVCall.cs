using System.Buffers.Binary;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;
using TrapDebugger.Engine.Values;

namespace TrapDebugger.Engine.Calls;

/// <summary>How a value travels in a call by the System V x86-64 ABI: in general registers, in vector registers, or in
/// memory (on the stack, or through a hidden pointer for a result).</summary>
public enum PassingClass
{
    /// <summary>In a general register (rdi, rsi, rdx, rcx, r8, r9; results rax, rdx).</summary>
    Integer,
    /// <summary>In a vector register (xmm0-xmm7; results xmm0, xmm1).</summary>
    Sse,
    /// <summary>In memory: on the stack, or a result through a hidden pointer.</summary>
    Memory,
}

/// <summary>What the program's memory and registers must hold to call a function: the bytes to write below the stack
/// pointer, the argument registers, and where the result will be.</summary>
/// <param name="StackPointer">The rsp at the function's first instruction (it points at the return address).</param>
/// <param name="Writes">The memory to write first: arguments passed on the stack, copies passed by address, the return address.</param>
/// <param name="IntegerRegisters">rdi, rsi, rdx, rcx, r8, r9 in order, as many as are used.</param>
/// <param name="VectorRegisters">xmm0 … xmm7 in order (16 bytes each), as many as are used.</param>
/// <param name="ResultAddress">Where a result returned through memory is written, or null.</param>
public sealed record CallPlan(ulong StackPointer, IReadOnlyList<(ulong Address, byte[] Bytes)> Writes, IReadOnlyList<ulong> IntegerRegisters,
    IReadOnlyList<byte[]> VectorRegisters, ulong? ResultAddress);

/// <summary>The System V x86-64 calling convention: classifies arguments and results by their DWARF types, lays out a
/// call below a stopped thread's stack, and reads the result back from the registers or memory it came back in.</summary>
/// <remarks>Pure: everything comes from types, values and a stack pointer, so the rules are tested from bytes.</remarks>
public static class SysVCall
{
    /// <summary>The bytes below the stack pointer a leaf function may use without moving it (the red zone), kept intact.</summary>
    public const ulong RedZone = 128;

    private const int GeneralArgumentRegisters = 6;
    private const int VectorArgumentRegisters = 8;

    /// <summary>The classes of the eightbytes of a value of <paramref name="type"/>, or [Memory] when it travels in memory.</summary>
    /// <exception cref="ValueException">The type cannot be passed by this debugger (an x87 long double, a type of unknown size).</exception>
    public static IReadOnlyList<PassingClass> Classify(DwarfType type)
    {
        var t = type.Canonical;
        if (t is CompositeType { PassedByReference: true }) return [PassingClass.Memory];
        ulong size = t.ByteSize;
        if (t is BaseType { IsFloat: true, ByteSize: > 8 })
            throw new ValueException($"'{type.DisplayName}' (x87 extended precision) cannot be passed to or returned from a called function");
        if (size == 0)
        {
            if (t is CompositeType) return [];
            throw new ValueException($"the size of '{type.DisplayName}' is unknown, so it cannot be passed");
        }
        if (size > 16) return [PassingClass.Memory];
        var classes = new PassingClass?[(size + 7) / 8];
        if (!Flatten(t, 0, classes, 0)) return [PassingClass.Memory];
        // An eightbyte holding only padding travels like an integer (its bits do not matter).
        return classes.Select(c => c ?? PassingClass.Integer).ToList();
    }

    // Merges the class of every scalar inside <type> at <offset> into its eightbyte; false when a field is misaligned
    // (the whole value then goes in memory).
    private static bool Flatten(DwarfType type, ulong offset, PassingClass?[] classes, int depth)
    {
        if (depth > 32) return false;
        var t = type.Canonical;
        switch (t)
        {
            case BaseType b:
                return Leaf(offset, b.ByteSize, b.IsFloat ? PassingClass.Sse : PassingClass.Integer, classes);
            case PointerType or ReferenceType or PointerToMemberType or EnumerationType:
                return Leaf(offset, Math.Max(t.ByteSize, 1), PassingClass.Integer, classes);
            case ArrayType a when a.Inner is { } inner:
                {
                    ulong n = a.Count ?? 0, step = inner.Canonical.ByteSize;
                    for (ulong i = 0; i < n; i++)
                    {
                        if (!Flatten(inner, offset + i * step, classes, depth + 1)) return false;
                    }
                    return true;
                }
            case CompositeType c:
                {
                    foreach (var b in c.Bases)
                    {
                        if (b.IsVirtual || b.Type is null || !Flatten(b.Type, offset + b.ByteOffset, classes, depth + 1)) return false;
                    }
                    foreach (var m in c.Members)
                    {
                        if (m.Type is null) continue;
                        ulong at = offset + m.ByteOffset;
                        if (m.IsBitField)
                        {
                            if (!Leaf(at, (ulong)((m.BitOffset + m.BitSize!.Value + 7) / 8), PassingClass.Integer, classes)) return false;
                            continue;
                        }
                        if (at % m.Type.NaturalAlignment != 0 || !Flatten(m.Type, at, classes, depth + 1)) return false;
                    }
                    if (c.VariantPart is { } part)
                    {
                        if (part.Discriminant is { Type: { } dt } d && !Flatten(dt, offset + d.ByteOffset, classes, depth + 1)) return false;
                        foreach (var v in part.Variants)
                        {
                            foreach (var m in v.Members)
                            {
                                if (m.Type is { } mt && !Flatten(mt, offset + m.ByteOffset, classes, depth + 1)) return false;
                            }
                        }
                    }
                    return true;
                }
            default:
                return false;
        }
    }

    private static bool Leaf(ulong offset, ulong size, PassingClass kind, PassingClass?[] classes)
    {
        for (ulong at = offset; at < offset + size; at += 8)
        {
            int i = (int)(at / 8);
            if (i >= classes.Length) return false;
            // INTEGER wins over SSE in an eightbyte that holds both.
            classes[i] = classes[i] == PassingClass.Integer || kind == PassingClass.Integer ? PassingClass.Integer : PassingClass.Sse;
        }
        return true;
    }

    /// <summary>Lays out a call of <paramref name="signature"/> with <paramref name="arguments"/> (already converted to the
    /// parameter types, or promoted) for a thread whose stack pointer is <paramref name="stackPointer"/>, returning to
    /// <paramref name="returnAddress"/>.</summary>
    /// <exception cref="ValueException">An argument cannot be passed (its bytes cannot be read, its type has no ABI class here).</exception>
    public static CallPlan Plan(CallSignature signature, IReadOnlyList<DebugValue> arguments, IByteSource memory, ulong stackPointer, ulong returnAddress)
    {
        var writes = new List<(ulong, byte[])>();
        var integers = new List<ulong>();
        var vectors = new List<byte[]>();
        // Copies passed by address (string literals, results through memory, objects passed by reference) go below the
        // red zone; the stack arguments go below them, 16-byte aligned at the call.
        ulong scratch = (stackPointer - RedZone - 64) & ~15UL;
        ulong Allocate(byte[] bytes, ulong alignment)
        {
            scratch = (scratch - (ulong)bytes.Length) & ~(Math.Max(alignment, 8) - 1);
            writes.Add((scratch, bytes));
            return scratch;
        }

        ulong? result = null;
        if (signature.ReturnType is { } returns && returns.Canonical is not UnspecifiedType && Classify(returns) is [PassingClass.Memory])
        {
            // The caller provides the result's memory and passes its address as a hidden first argument.
            result = Allocate(new byte[Math.Max(returns.Canonical.ByteSize, 1)], Math.Max(returns.NaturalAlignment, 16));
            integers.Add(result.Value);
        }

        var onStack = new List<(byte[] Bytes, ulong Alignment)>();
        foreach (var argument in arguments)
        {
            var type = argument.Canonical;
            var bytes = argument.GetBytes(memory).ToArray();
            if (type is ArrayType)
            {
                // An array is passed as a pointer to its first element: a copy when it has no address of its own.
                integers.AddOrStack(argument.Address ?? Allocate(bytes, argument.Type.NaturalAlignment), onStack);
                continue;
            }
            var classes = Classify(argument.Type);
            if (classes.Count == 0) continue;
            if (type is CompositeType { PassedByReference: true })
            {
                // A C++ object with a non-trivial copy or destruction is passed as the address of a temporary copy.
                integers.AddOrStack(Allocate(bytes, Math.Max(argument.Type.NaturalAlignment, 16)), onStack);
                continue;
            }
            int needInteger = classes.Count(c => c == PassingClass.Integer), needVector = classes.Count(c => c == PassingClass.Sse);
            if (classes[0] == PassingClass.Memory || integers.Count + needInteger > GeneralArgumentRegisters || vectors.Count + needVector > VectorArgumentRegisters)
            {
                onStack.Add((bytes, Math.Max(argument.Type.NaturalAlignment, 8)));
                continue;
            }
            var padded = new byte[classes.Count * 8];
            bytes.AsSpan(0, Math.Min(bytes.Length, padded.Length)).CopyTo(padded);
            for (int i = 0; i < classes.Count; i++)
            {
                var eightbyte = padded.AsSpan(i * 8, 8);
                if (classes[i] == PassingClass.Integer) integers.Add(BinaryPrimitives.ReadUInt64LittleEndian(eightbyte));
                else
                {
                    var vector = new byte[16];
                    eightbyte.CopyTo(vector);
                    vectors.Add(vector);
                }
            }
        }

        // Stack arguments in order upward from rsp + 8; rsp + 8 is 16-byte aligned when the function starts.
        ulong size = 0;
        var offsets = new List<ulong>();
        foreach (var (bytes, alignment) in onStack)
        {
            size = Dwarf.Types.TypeLayout.AlignUp(size, alignment);
            offsets.Add(size);
            size += Dwarf.Types.TypeLayout.AlignUp((ulong)bytes.Length, 8);
        }
        ulong arguments0 = (scratch - size) & ~15UL;
        for (int i = 0; i < onStack.Count; i++) writes.Add((arguments0 + offsets[i], onStack[i].Bytes));
        ulong entry = arguments0 - 8;
        var ret = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(ret, returnAddress);
        writes.Add((entry, ret));
        return new CallPlan(entry, writes, integers, vectors, result);
    }

    // A pointer argument goes in the next general register, or on the stack once they are used up.
    private static void AddOrStack(this List<ulong> integers, ulong value, List<(byte[] Bytes, ulong Alignment)> onStack)
    {
        if (integers.Count < GeneralArgumentRegisters)
        {
            integers.Add(value);
            return;
        }
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        onStack.Add((bytes, 8));
    }

    /// <summary>The value a function returning <paramref name="returnType"/> gave back, from rax, rdx, xmm0, xmm1 (low 8
    /// bytes each) or the memory its hidden result pointer named.</summary>
    public static DebugValue? Result(DwarfType? returnType, CallPlan plan, ulong rax, ulong rdx, ReadOnlySpan<byte> xmm0, ReadOnlySpan<byte> xmm1, IByteSource memory)
    {
        if (returnType is null || returnType.Canonical is UnspecifiedType) return null;
        int size = (int)returnType.Canonical.ByteSize;
        if (plan.ResultAddress is { } at)
        {
            var buffer = new byte[size];
            if (memory.Read(at, buffer) < size) throw new ValueException($"cannot read the call's result at 0x{at:x}");
            return DebugValue.FromBytes(returnType, buffer);
        }
        var classes = Classify(returnType);
        var bytes = new byte[Math.Max(classes.Count * 8, size)];
        int integer = 0, vector = 0;
        for (int i = 0; i < classes.Count; i++)
        {
            var eightbyte = bytes.AsSpan(i * 8, 8);
            if (classes[i] == PassingClass.Integer) BinaryPrimitives.WriteUInt64LittleEndian(eightbyte, integer++ == 0 ? rax : rdx);
            else (vector++ == 0 ? xmm0 : xmm1)[..8].CopyTo(eightbyte);
        }
        return DebugValue.FromBytes(returnType, bytes.AsSpan(0, size).ToArray());
    }
}
