using System.Runtime.InteropServices;

namespace TrapDebugger.Targets;

/// <summary>The x87/SSE state of one thread, laid out exactly as the kernel's struct user_fpregs_struct (FXSAVE format).</summary>
[StructLayout(LayoutKind.Sequential, Size = Size)]
public unsafe struct FloatingPointRegisters
{
    public ushort Cwd;       // cwd
    public ushort Swd;       // swd
    public ushort Ftw;       // ftw
    public ushort Fop;       // fop
    public ulong Rip;        // rip
    public ulong Rdp;        // rdp
    public uint Mxcsr;       // mxcsr
    public uint MxcsrMask;   // mxcr_mask
    private fixed uint st[32];   // st_space: 8 registers of 16 bytes
    private fixed uint xmm[64];  // xmm_space: 16 registers of 16 bytes
    private fixed uint padding[24];

    /// <summary>The 16 bytes of XMM register <paramref name="index"/> (0-15).</summary>
    public readonly byte[] GetXmm(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, 15u, nameof(index));
        var result = new byte[16];
        fixed (uint* p = xmm) new ReadOnlySpan<byte>((byte*)p + index * 16, 16).CopyTo(result);
        return result;
    }

    /// <summary>Replaces XMM register <paramref name="index"/> (0-15) with 16 bytes.</summary>
    public void SetXmm(int index, ReadOnlySpan<byte> value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, 15u, nameof(index));
        if (value.Length != 16) throw new ArgumentException("an XMM register holds exactly 16 bytes", nameof(value));
        fixed (uint* p = xmm) value.CopyTo(new Span<byte>((byte*)p + index * 16, 16));
    }

    /// <summary>The 10 significant bytes (80-bit extended value) of x87 register ST(<paramref name="index"/>) (0-7).</summary>
    public readonly byte[] GetSt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, 7u, nameof(index));
        var result = new byte[10];
        fixed (uint* p = st) new ReadOnlySpan<byte>((byte*)p + index * 16, 10).CopyTo(result);
        return result;
    }

    /// <summary>The size of the structure in bytes: the kernel's user_fpregs_struct, and a core file's NT_FPREGSET note.</summary>
    public const int Size = 512;
}
