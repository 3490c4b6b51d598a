using TrapDebugger.Adapter.Handlers.Traps;
using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Protocol.Traps;

namespace TrapDebugger.Cli.TrapSites;

/// <summary>The trap-site catalog of one binary read from its file (no process), in the shape the <c>trapSites</c> DAP request
/// answers with: the engine's <see cref="ModuleTrapCatalog"/> in the adapter's wire form, so both print the same document.</summary>
public static class ModuleTrapSites
{
    /// <summary>Scans the binary at <paramref name="path"/>; addresses are the file's link-time addresses.</summary>
    /// <exception cref="InvalidDataException">The file is not an ELF file the reader accepts.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static TrapSitesResponseBody Scan(string path) => TrapSitesBody.Of(ModuleTrapCatalog.ReadFile(path));
}
