using System.Globalization;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Model;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Traps;
using TrapDebugger.Traps;

namespace TrapDebugger.Adapter.Handlers.Traps;

/// <summary><c>trapSites</c> (TrapDebugger extension): the trap instructions of a module and the checks that reach each,
/// for a loaded module (addresses as mapped) or for a <c>program</c> file without any process (file addresses).</summary>
public sealed class TrapSitesHandler() : EngineRequestHandler<TrapSitesArguments, TrapSitesResponseBody>(
    Commands.TrapSites, ProtocolJsonContext.Default.TrapSitesArguments, ProtocolJsonContext.Default.TrapSitesResponseBody)
{
    /// <inheritdoc/>
    protected override Task<TrapSitesResponseBody?> HandleAsync(TrapSitesArguments arguments, RequestContext context, EngineState state)
    {
        if (arguments.Program is { Length: > 0 } program)
        {
            var path = Path.GetFullPath(program);
            if (!File.Exists(path))
                throw new RequestFailedException($"trapSites: program '{path}' does not exist.");
            using var target = new Target();
            var module = target.Add(path, 0, isMainProgram: true);
            return Task.FromResult<TrapSitesResponseBody?>(Catalog(module, new TargetSymbolizer(target), context.CancellationToken));
        }

        var debuggee = state.Debuggee
            ?? throw new RequestFailedException("trapSites: there is no process; give 'program' to list the trap sites of a file.");
        var modules = debuggee.Process.Target.Modules;
        Module? chosen = arguments.Module is not { Length: > 0 } wanted ? debuggee.Process.Target.MainProgram
            : modules.FirstOrDefault(m => m.Id.ToString(CultureInfo.InvariantCulture) == wanted)
              ?? modules.FirstOrDefault(m => m.Path == wanted)
              ?? modules.FirstOrDefault(m => m.Name == wanted);
        if (chosen is null)
            throw new RequestFailedException($"trapSites: no loaded module is '{arguments.Module}' (give a module id or path from the modules request).");
        return Task.FromResult<TrapSitesResponseBody?>(Catalog(chosen, debuggee.Process.TrapSymbols, context.CancellationToken));
    }

    // The engine's GetTrapSiteCatalog covers only the functions the debug information describes; this one adds the ELF
    // function symbols (stripped code, libc), so both a loaded module and a program file go through it.
    private static TrapSitesResponseBody Catalog(Module module, TargetSymbolizer symbols, CancellationToken cancellationToken)
    {
        if (module.Elf is null)
            throw new RequestFailedException($"trapSites: '{module.Path}' cannot be read as ELF{(module.LoadError is { } e ? $" ({e})" : "")}.");
        var functions = Functions(module).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        var catalog = TrapSiteCatalog.Build(functions, new ModuleCodeReader(module), symbols, symbols, symbols.ProducerClangVersion(functions.FirstOrDefault()?.Start ?? 0));
        var body = new TrapSitesResponseBody();
        foreach (var site in catalog.Sites)
        {
            body.Sites.Add(new TrapSiteInfo
            {
                Address = SourceTranslation.Address(site.Address),
                Module = module.Path,
                Function = site.Function,
                Kind = TrapWireNames.Of(site.Kind),
                Category = site.Category,
                Message = site.Message,
                MessageSource = TrapWireNames.Of(site.MessageSource),
                Merged = site.MergedCheckCount > 1,
                CheckCount = Math.Max(site.MergedCheckCount, 1),
                Source = site.Location is { } l ? SourceTranslation.ToSource(l.File) : null,
                Line = site.Location?.Line,
                Checks = [.. site.Origins.Select(o => new TrapCheckInfo
                {
                    Address = SourceTranslation.Address(o.BranchAddress),
                    Source = o.Location is { } ol ? SourceTranslation.ToSource(ol.File) : null,
                    Line = o.Location?.Line,
                    Column = o.Location is { Column: > 0 } c ? c.Column : null,
                    Category = o.Category,
                    Message = o.Message,
                    MessageSource = TrapWireNames.Of(o.MessageSource),
                    InlinedFrom = o.InlinedFrom,
                })],
            });
        }
        return body;
    }

    /// <summary>The out-of-line functions of <paramref name="module"/> at run-time addresses: DWARF subprograms, then
    /// ELF function symbols for code the debug information does not describe.</summary>
    private static IEnumerable<FunctionBounds> Functions(Module module)
    {
        var seen = new HashSet<ulong>();
        if (module.Symbols is { } symbols)
        {
            foreach (var function in symbols.Functions())
            {
                if (function.IsInlined)
                    continue;
                foreach (var range in function.Ranges)
                {
                    if (range.High > range.Low && seen.Add(range.Low))
                        yield return new FunctionBounds(module.ToRuntimeAddress(range.Low), module.ToRuntimeAddress(range.High), function.QualifiedName ?? function.Name);
                }
            }
        }
        if (module.Elf is { } elf)
        {
            foreach (var symbol in elf.Symbols.All)
            {
                if (symbol.IsFunction && !symbol.IsUndefined && symbol.Size > 0 && seen.Add(symbol.Value))
                    yield return new FunctionBounds(module.ToRuntimeAddress(symbol.Value), module.ToRuntimeAddress(symbol.Value + symbol.Size), FrameSymbolizer.Demangle(symbol.Name));
            }
        }
    }
}
