using System.Text.Json;

namespace TrapDebugger.Protocol.Types;

/// <summary>A source file: by path on disk, or by a reference the client fetches with the <c>source</c> request.</summary>
public sealed class Source
{
    /// <summary>Short name shown in the UI.</summary>
    public string? Name { get; set; }

    /// <summary>Path of the file on disk.</summary>
    public string? Path { get; set; }

    /// <summary>When above zero, the contents come from the <c>source</c> request instead of <see cref="Path"/>.</summary>
    public int? SourceReference { get; set; }

    /// <summary><c>normal</c>, <c>emphasize</c> or <c>deemphasize</c>.</summary>
    public string? PresentationHint { get; set; }

    /// <summary>Where the source comes from, e.g. "disassembly".</summary>
    public string? Origin { get; set; }

    /// <summary>Related sources, e.g. the inputs of a generated file.</summary>
    public List<Source>? Sources { get; set; }

    /// <summary>Opaque data the adapter gets back when the client persists this source.</summary>
    public JsonElement? AdapterData { get; set; }

    /// <summary>Checksums of the file contents.</summary>
    public List<Checksum>? Checksums { get; set; }
}

/// <summary>A checksum of a source file.</summary>
public sealed class Checksum
{
    /// <summary><c>MD5</c>, <c>SHA1</c>, <c>SHA256</c> or <c>timestamp</c>.</summary>
    public string Algorithm { get; set; } = "";

    /// <summary>The checksum, hex encoded.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("checksum")]
    public string Value { get; set; } = "";
}
