namespace TrapDebugger.Protocol.Types;

/// <summary>One disassembled instruction.</summary>
public sealed class DisassembledInstruction
{
    /// <summary>Address of the instruction, e.g. <c>0x401000</c>.</summary>
    public string Address { get; set; } = "";

    /// <summary>The raw bytes, hex encoded with spaces.</summary>
    public string? InstructionBytes { get; set; }

    /// <summary>The instruction text.</summary>
    public string Instruction { get; set; } = "";

    /// <summary>Symbol at this address, e.g. <c>main+12</c>.</summary>
    public string? Symbol { get; set; }

    /// <summary>Source of the instruction.</summary>
    public Source? Location { get; set; }

    /// <summary>Source line of the instruction.</summary>
    public int? Line { get; set; }

    /// <summary>Source column of the instruction.</summary>
    public int? Column { get; set; }

    /// <summary>End line of the instruction's source range.</summary>
    public int? EndLine { get; set; }

    /// <summary>End column of the instruction's source range.</summary>
    public int? EndColumn { get; set; }

    /// <summary><c>normal</c> or <c>invalid</c> (bytes that are not an instruction).</summary>
    public string? PresentationHint { get; set; }
}
