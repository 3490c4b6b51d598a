namespace TrapDebugger.Native.Memory;

/// <summary>The whole reading surface of a live process: bytes at an address.</summary>
public interface IProcessMemory
{
    /// <summary>Copies up to <c>buffer.Length</c> bytes from <paramref name="address"/>; returns how many were read
    /// (fewer at the first unmapped byte).</summary>
    int Read(ulong address, Span<byte> buffer);
}
