namespace TrapDebugger.Traps;

/// <summary>Reads bytes of the stopped process (or of a file image of its code).</summary>
public interface IMemoryReader
{
    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="address"/>; returns how many were read (0 when unreadable).</summary>
    int Read(ulong address, Span<byte> buffer);
}
