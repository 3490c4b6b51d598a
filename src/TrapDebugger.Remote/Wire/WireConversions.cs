using System.Runtime.InteropServices;
using TrapDebugger.Remote.Contract;

namespace TrapDebugger.Remote.Wire;

/// <summary>Turns the target vocabulary into wire types and back (registers as words, siginfo, regions).</summary>
internal static class WireConversions
{
    /// <summary>How many 64-bit words user_regs_struct holds.</summary>
    public const int GeneralRegisterWords = 27;

    public static ulong[] ToWords(GeneralRegisters registers) =>
        MemoryMarshal.Cast<GeneralRegisters, ulong>(MemoryMarshal.CreateReadOnlySpan(ref registers, 1)).ToArray();

    public static GeneralRegisters ToGeneralRegisters(ulong[] words)
    {
        if (words is null || words.Length != GeneralRegisterWords)
            throw new TargetException($"general registers are {GeneralRegisterWords} words, not {words?.Length ?? 0}");
        return MemoryMarshal.Read<GeneralRegisters>(MemoryMarshal.AsBytes(words.AsSpan()));
    }

    public static byte[] ToBytes(FloatingPointRegisters registers) =>
        MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref registers, 1)).ToArray();

    public static FloatingPointRegisters ToFloatingPointRegisters(byte[] bytes)
    {
        if (bytes is null || bytes.Length != FloatingPointRegisters.Size)
            throw new TargetException($"x87/SSE registers are {FloatingPointRegisters.Size} bytes, not {bytes?.Length ?? 0}");
        return MemoryMarshal.Read<FloatingPointRegisters>(bytes);
    }

    public static WireSignal? ToWire(SignalInfo? info) => info is { } s
        ? new WireSignal { Signal = s.Signal, Code = s.Code, Address = s.Address, SenderPid = s.SenderPid, SenderUid = s.SenderUid }
        : null;

    public static SignalInfo? FromWire(WireSignal? s) => s is null ? null : new SignalInfo(s.Signal, s.Code, s.Address, s.SenderPid, s.SenderUid);

    public static WireRegion ToWire(MemoryRegion r) => new()
    {
        Numbers = [r.Start, r.End, r.Offset, r.Inode],
        Permissions = r.Permissions,
        Path = r.Path,
    };

    public static MemoryRegion? FromWire(WireRegion r)
    {
        if (r.Numbers is not { Length: 4 } n || r.Permissions is not { Length: 4 } p)
            return null;
        return new MemoryRegion(n[0], n[1], p[0] == 'r', p[1] == 'w', p[2] == 'x', p[3] == 'p', r.Path ?? "") { Offset = n[2], Inode = n[3] };
    }
}
