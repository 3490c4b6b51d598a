namespace TrapDebugger.Elf.Core;

/// <summary>Finds the files behind a core's file-backed mappings, whose unwritten pages the core leaves out.</summary>
public interface ICoreBackingFiles
{
    /// <summary>Opens the file the process had mapped from <paramref name="path"/>, or returns null when no usable copy exists.</summary>
    /// <param name="path">The path NT_FILE recorded.</param>
    /// <param name="buildIdHex">The GNU build-id the core's memory shows for that file, or null when it shows none.</param>
    /// <param name="warn">Receives one sentence for each reason a file was not used (missing, build-id mismatch, unreadable).</param>
    IByteSource? Open(string path, string? buildIdHex, Action<string> warn);
}
