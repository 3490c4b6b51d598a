using System.Text.Json.Serialization;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Protocol.Types;

/// <summary>A loaded module: the executable or a shared library.</summary>
public sealed class Module
{
    /// <summary>Unique identifier (a number or a string on the wire).</summary>
    [JsonConverter(typeof(NumberOrStringConverter))]
    public string Id { get; set; } = "";

    /// <summary>Short name, e.g. <c>libc.so.6</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>Path of the file.</summary>
    public string? Path { get; set; }

    /// <summary>Whether the module is optimized.</summary>
    public bool? IsOptimized { get; set; }

    /// <summary>Whether the module is the user's own code.</summary>
    public bool? IsUserCode { get; set; }

    /// <summary>Version text.</summary>
    public string? Version { get; set; }

    /// <summary>E.g. "Symbols loaded." or "No debug information.".</summary>
    public string? SymbolStatus { get; set; }

    /// <summary>Path of the file the debug information came from.</summary>
    public string? SymbolFilePath { get; set; }

    /// <summary>Time stamp of the module.</summary>
    public string? DateTimeStamp { get; set; }

    /// <summary>Address range of the module, e.g. <c>0x7f00-0x7fff</c>.</summary>
    public string? AddressRange { get; set; }
}

/// <summary>An extra column of the modules view.</summary>
public sealed class ColumnDescriptor
{
    /// <summary>Name of the module attribute shown.</summary>
    public string AttributeName { get; set; } = "";

    /// <summary>Column header.</summary>
    public string Label { get; set; } = "";

    /// <summary>Format string for the value.</summary>
    public string? Format { get; set; }

    /// <summary><c>string</c>, <c>number</c>, <c>boolean</c> or <c>unixTimestampUTC</c>.</summary>
    public string? Type { get; set; }

    /// <summary>Width in characters.</summary>
    public int? Width { get; set; }
}
