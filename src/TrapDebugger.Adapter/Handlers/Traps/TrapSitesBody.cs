using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Protocol.Traps;
using TrapDebugger.Traps;

namespace TrapDebugger.Adapter.Handlers.Traps;

/// <summary>The wire form of a module's trap-site catalog: the <c>trapSites</c> response body, which <c>trapdbg traps --json</c>
/// prints as it is.</summary>
public static class TrapSitesBody
{
    /// <summary>Every site of <paramref name="catalog"/>, in address order, with the checks that reach it; source paths as
    /// <paramref name="paths"/> translates them (as they are in the debug information when null).</summary>
    public static TrapSitesResponseBody Of(ModuleTrapCatalog catalog, SourcePaths? paths = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        paths ??= SourcePaths.Identity;
        return new TrapSitesResponseBody { Sites = [.. catalog.Sites.Select(s => SiteOf(s, catalog.ModulePath, paths))] };
    }

    private static TrapSiteInfo SiteOf(TrapSite site, string modulePath, SourcePaths paths) => new()
    {
        Address = SourceTranslation.Address(site.Address),
        Module = modulePath,
        Function = site.Function,
        Kind = TrapWireNames.Of(site.Kind),
        Category = site.Category,
        Message = site.Message,
        MessageSource = TrapWireNames.Of(site.MessageSource),
        Merged = ModuleTrapCatalog.IsMerged(site),
        CheckCount = site.Origins.Count,
        Source = SourceTranslation.ToSource(site.Location?.File, paths),
        Line = site.Location?.Line,
        Checks = [.. site.Origins.Select(o => CheckOf(o, paths))],
    };

    private static TrapCheckInfo CheckOf(TrapOrigin origin, SourcePaths paths) => new()
    {
        Address = SourceTranslation.Address(origin.BranchAddress),
        Source = SourceTranslation.ToSource(origin.Location?.File, paths),
        Line = origin.Location?.Line,
        Column = origin.Location is { Column: > 0 } c ? c.Column : null,
        Category = origin.Category,
        Message = origin.Message,
        MessageSource = TrapWireNames.Of(origin.MessageSource),
        InlinedFrom = origin.InlinedFrom,
    };
}
