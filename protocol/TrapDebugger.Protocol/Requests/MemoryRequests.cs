using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Protocol.Requests;

/// <summary>Arguments of <c>disassemble</c>.</summary>
public sealed class DisassembleArguments
{
    /// <summary>Base address, e.g. <c>0x401000</c>.</summary>
    public string MemoryReference { get; set; } = "";

    /// <summary>Byte offset added to the base address.</summary>
    public int? Offset { get; set; }

    /// <summary>Instruction offset (may be negative) added after <see cref="Offset"/>.</summary>
    public int? InstructionOffset { get; set; }

    /// <summary>Number of instructions to return; pad with invalid rows if memory is unreadable.</summary>
    public int InstructionCount { get; set; }

    /// <summary>Resolve addresses to symbols.</summary>
    public bool? ResolveSymbols { get; set; }
}

/// <summary>Body of the <c>disassemble</c> response.</summary>
public sealed class DisassembleResponseBody
{
    /// <summary>The instructions.</summary>
    public List<DisassembledInstruction> Instructions { get; set; } = [];
}

/// <summary>Arguments of <c>readMemory</c>.</summary>
public sealed class ReadMemoryArguments
{
    /// <summary>Base address.</summary>
    public string MemoryReference { get; set; } = "";

    /// <summary>Byte offset added to the base address.</summary>
    public int? Offset { get; set; }

    /// <summary>Number of bytes to read.</summary>
    public int Count { get; set; }
}

/// <summary>Body of the <c>readMemory</c> response.</summary>
public sealed class ReadMemoryResponseBody
{
    /// <summary>Address of the first byte read.</summary>
    public string Address { get; set; } = "";

    /// <summary>Bytes after the data that could not be read.</summary>
    public int? UnreadableBytes { get; set; }

    /// <summary>The bytes, base64 encoded.</summary>
    public string? Data { get; set; }
}

/// <summary>Arguments of <c>writeMemory</c>.</summary>
public sealed class WriteMemoryArguments
{
    /// <summary>Base address.</summary>
    public string MemoryReference { get; set; } = "";

    /// <summary>Byte offset added to the base address.</summary>
    public int? Offset { get; set; }

    /// <summary>Write as much as possible instead of failing on the first unwritable byte.</summary>
    public bool? AllowPartial { get; set; }

    /// <summary>The bytes, base64 encoded.</summary>
    public string Data { get; set; } = "";
}

/// <summary>Body of the <c>writeMemory</c> response.</summary>
public sealed class WriteMemoryResponseBody
{
    /// <summary>Offset of the first byte written.</summary>
    public int? Offset { get; set; }

    /// <summary>Number of bytes written.</summary>
    public int? BytesWritten { get; set; }
}
