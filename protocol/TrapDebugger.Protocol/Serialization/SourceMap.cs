using System.Text.Json.Serialization;

namespace TrapDebugger.Protocol.Serialization;

/// <summary>Source path remapping: build-time path prefixes and the local prefixes that replace them, in order.</summary>
/// <remarks>
/// Accepted as CodeLLDB writes it (<c>{"/build": "/home/me/src"}</c>) or as lldb-dap writes it
/// (<c>[["/build", "/home/me/src"]]</c>); written in the object form.
/// </remarks>
[JsonConverter(typeof(SourceMapConverter))]
public sealed class SourceMap
{
    /// <summary>The (from, to) prefix pairs, first match wins.</summary>
    public List<SourceMapEntry> Entries { get; } = [];
}

/// <summary>One remapping: paths starting with <see cref="From"/> are looked up under <see cref="To"/>.</summary>
public readonly record struct SourceMapEntry(string From, string To);
