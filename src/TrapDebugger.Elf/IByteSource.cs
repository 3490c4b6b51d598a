namespace TrapDebugger.Elf;

/// <summary>The whole reading surface of a file, a core dump or a live process: bytes at a position.</summary>
/// <remarks>Every format reader sits on this interface so one parser serves all three sources.</remarks>
public interface IByteSource
{
    /// <summary>Copies up to <c>buffer.Length</c> bytes starting at <paramref name="position"/>; returns how many were read (0 past the end or in a hole).</summary>
    int Read(ulong position, Span<byte> buffer);
}
