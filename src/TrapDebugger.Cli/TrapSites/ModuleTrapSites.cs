using System.Globalization;
using TrapDebugger.Cli.Reports;
using TrapDebugger.Elf;
using TrapDebugger.Elf.Demangling;
using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Engine.Model;
using TrapDebugger.Protocol.Traps;
using TrapDebugger.Protocol.Types;
using TrapDebugger.Traps;

namespace TrapDebugger.Cli.TrapSites;

/// <summary>The trap-site catalog of one binary read from its file (no process): every ud2, UBSan ud1 and program int3 in its
/// functions, in the shape the <c>trapSites</c> DAP request answers with.</summary>
public static class ModuleTrapSites
{
    /// <summary>Scans the binary at <paramref name="path"/>; addresses are the file's link-time addresses.</summary>
    /// <exception cref="InvalidDataException">The file is not an ELF file the reader accepts.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static TrapSitesResponseBody Scan(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var target = new Target();
        var module = target.Add(Path.GetFullPath(path), 0, isMainProgram: true);
        if (module.Symbols is not { } symbols)
            throw new InvalidDataException(module.LoadError ?? $"cannot read '{path}'");
        var elf = symbols.Elf;
        var functions = Functions(elf);
        var symbolizer = new TargetSymbolizer(target);
        var clang = functions.Count > 0 ? symbolizer.ProducerClangVersion(functions[0].Start) : null;
        var catalog = TrapSiteCatalog.Build(functions, new ModuleCodeReader(module), symbolizer, symbolizer, clang);
        return new TrapSitesResponseBody { Sites = [.. catalog.Sites.Select(s => ToInfo(s, module.Path, symbolizer))] };
    }

    /// <summary>The defined functions of the file's symbol tables (.symtab, else .dynsym), one per start address.</summary>
    private static List<FunctionBounds> Functions(ElfFile elf)
    {
        var executable = elf.Segments.Where(s => s.Type == ElfSegmentType.Load && s.IsExecutable).ToList();
        bool InCode(ulong address) => executable.Any(s => address >= s.VirtualAddress && address < s.VirtualAddress + s.FileSize);
        return elf.Symbols.All
            .Where(s => s.IsFunction && !s.IsUndefined && s.Size > 0 && InCode(s.Value))
            .GroupBy(s => s.Value)
            .Select(g => g.OrderBy(s => s.IsDynamic).First())
            .Select(s => new FunctionBounds(s.Value, s.Value + s.Size, Demangler.TryDemangle(s.Name) ?? s.Name))
            .OrderBy(f => f.Start)
            .ToList();
    }

    /// <summary>The protocol form of one site; <paramref name="symbols"/> places a verbose trap at its call (its own line row is 0).</summary>
    public static TrapSiteInfo ToInfo(TrapSite site, string modulePath, ISymbolizer? symbols = null)
    {
        ArgumentNullException.ThrowIfNull(site);
        var location = site.MessageSource == MessageSource.Dwarf && MessageCallSite(site.Address, symbols) is { } call ? call : site.Location;
        var checks = site.Origins.Select(o => new TrapCheckInfo
        {
            Address = Hex(o.BranchAddress),
            Source = SourceOf(o.Location),
            Line = o.Location?.Line,
            Column = o.Location is { Column: > 0 } c ? c.Column : null,
            Category = o.Category,
            Message = o.Message,
            MessageSource = StopReportBuilder.MessageSourceName(o.MessageSource),
            InlinedFrom = o.InlinedFrom,
        }).ToList();
        return new TrapSiteInfo
        {
            Address = Hex(site.Address),
            Module = modulePath,
            Function = site.Function,
            Kind = site.Kind switch
            {
                TrapInstructionKind.UbsanUd1 or TrapInstructionKind.OtherUndefined => TrapKinds.Ud1,
                TrapInstructionKind.Int3 => TrapKinds.Int3,
                _ => TrapKinds.Ud2,
            },
            Category = site.Category,
            Message = site.Message,
            MessageSource = StopReportBuilder.MessageSourceName(site.MessageSource),
            Merged = IsMerged(site),
            CheckCount = site.MergedCheckCount,
            Source = SourceOf(location),
            Line = location?.Line,
            Checks = checks,
        };
    }

    /// <summary>True when the optimizer merged distinct checks into this trap: no message of its own, and branches from more than
    /// one source check (a different line or message). Two branches of one <c>a || b</c> condition are one check.</summary>
    public static bool IsMerged(TrapSite site)
    {
        ArgumentNullException.ThrowIfNull(site);
        if (site.MessageSource == MessageSource.Dwarf) return false;
        return site.Origins.Select(o => (o.Location?.File, o.Location?.Line, o.Message)).Distinct().Count() > 1;
    }

    /// <summary>Where the trap-message frame at <paramref name="address"/> was "called": the user's <c>__builtin_verbose_trap</c> line.</summary>
    private static Traps.SourceLocation? MessageCallSite(ulong address, ISymbolizer? symbols)
    {
        if (symbols?.Symbolize(address) is not { } at) return null;
        foreach (var frame in at.InlineChain)
        {
            if (VerboseTrapName.TryParse(frame.Name, out _, out _)) return frame.CallSite is { Line: > 0 } c ? c : null;
        }
        return null;
    }

    private static Source? SourceOf(Traps.SourceLocation? location) =>
        location is { } l && l.File.Length > 0 ? new Source { Name = Path.GetFileName(l.File), Path = l.File } : null;

    private static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
