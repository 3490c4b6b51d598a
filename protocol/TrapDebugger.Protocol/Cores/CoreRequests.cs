namespace TrapDebugger.Protocol.Cores;

/// <summary>Arguments of the <c>saveCore</c> extension request.</summary>
public sealed class SaveCoreArguments
{
    /// <summary>Where to write the core file (an absolute path; an existing file is replaced).</summary>
    public string? Path { get; set; }
}

/// <summary>Body of the <c>saveCore</c> response: what the written core holds.</summary>
public sealed class SaveCoreResponseBody
{
    /// <summary>The core file written.</summary>
    public string Path { get; set; } = "";

    /// <summary>The threads it records (the stopped thread first).</summary>
    public int Threads { get; set; }

    /// <summary>Bytes of memory written into the core (stacks, heap, data, ELF headers, code around each thread's pc).</summary>
    public long IncludedBytes { get; set; }

    /// <summary>Bytes of memory left out: unchanged pages of the program's and libraries' files, which debuggers read from them.</summary>
    public long OmittedBytes { get; set; }
}
