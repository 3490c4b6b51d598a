using System.Runtime.InteropServices;

namespace TrapDebugger.Elf.Core;

/// <summary>One thread of a core: its NT_PRSTATUS and the notes that follow it (NT_FPREGSET, NT_X86_XSTATE, NT_SIGINFO).</summary>
public sealed class CoreThread
{
    private const int XStateBvOffset = 512, YmmUpperOffset = 576, AvxFeature = 1 << 2;

    internal CoreThread(ElfPrStatus status) => Status = status;

    /// <summary>The thread's status note: signal, ids and general registers.</summary>
    public ElfPrStatus Status { get; }

    /// <summary>The thread id (pr_pid).</summary>
    public int ThreadId => Status.Pid;

    /// <summary>The general registers (pr_reg).</summary>
    public GeneralRegisters Registers => Status.Registers;

    /// <summary>The x87/SSE registers in FXSAVE layout (struct user_fpregs_struct, 512 bytes), or empty when the core has none.</summary>
    public ReadOnlyMemory<byte> FloatingPoint { get; internal set; }

    /// <summary>The XSAVE area (NT_X86_XSTATE), or empty when the core has none.</summary>
    public ReadOnlyMemory<byte> ExtendedState { get; internal set; }

    /// <summary>The signal of this thread's NT_SIGINFO, or null when none follows its status note.</summary>
    public ElfSigInfo? SignalInfo { get; internal set; }

    /// <summary>The x87/SSE registers: NT_FPREGSET, else the legacy area that starts every XSAVE area (the same FXSAVE
    /// layout); null when the core holds neither.</summary>
    public FloatingPointRegisters? FloatingPointRegisters
    {
        get
        {
            var fp = FloatingPoint.Length >= TrapDebugger.Targets.FloatingPointRegisters.Size ? FloatingPoint
                : ExtendedState.Length >= TrapDebugger.Targets.FloatingPointRegisters.Size ? ExtendedState : default;
            return fp.IsEmpty ? null : MemoryMarshal.Read<TrapDebugger.Targets.FloatingPointRegisters>(fp.Span);
        }
    }

    /// <summary>The 16 bytes of XMM register <paramref name="index"/> (0-15), or null without floating-point state.</summary>
    public byte[]? GetXmm(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, 15u, nameof(index));
        return FloatingPointRegisters?.GetXmm(index);
    }

    /// <summary>The upper 16 bytes of YMM register <paramref name="index"/> (0-15), or null when the XSAVE area holds no AVX state.</summary>
    public byte[]? GetYmmUpper(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, 15u, nameof(index));
        var x = ExtendedState.Span;
        if (x.Length < YmmUpperOffset + 256)
            return null;
        // XSTATE_BV without the AVX bit means the upper halves are in their initial state: zero.
        if ((BitConverter.ToUInt64(x.Slice(XStateBvOffset, 8)) & AvxFeature) == 0)
            return new byte[16];
        return x.Slice(YmmUpperOffset + index * 16, 16).ToArray();
    }
}
