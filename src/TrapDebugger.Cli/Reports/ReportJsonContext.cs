using System.Text.Json.Serialization;
using TrapDebugger.Protocol.Traps;

namespace TrapDebugger.Cli.Reports;

/// <summary>Source-generated JSON metadata for what the command line prints with <c>--json</c> (no reflection, so Native AOT works).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(StopReport))]
[JsonSerializable(typeof(TrapSitesResponseBody))]
public sealed partial class ReportJsonContext : JsonSerializerContext
{
}
