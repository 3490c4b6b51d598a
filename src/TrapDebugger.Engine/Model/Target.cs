using TrapDebugger.Dwarf.CallFrames;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Unwinding;

namespace TrapDebugger.Engine.Model;

/// <summary>The images of one process and what they answer about run-time addresses: which module, which unwind row,
/// which function.</summary>
/// <remarks>Thread-safe: modules are added by the event pump while requests read them.</remarks>
public sealed class Target : IUnwindSource, IDisposable
{
    private static readonly HashSet<string> StackStarters = new(StringComparer.Ordinal)
    {
        "_start", "__clone", "clone", "__clone3", "clone3", "__GI___clone", "__GI___clone3",
    };

    private readonly Lock _gate = new();
    private readonly Func<string, TargetFile?>? _openFile;
    private volatile Module[] _modules = [];
    private int _nextId = 1;

    /// <summary>The images of a process whose files <paramref name="openFile"/> finds (a path as the process names it →
    /// where its bytes are); without it, paths are files on this machine.</summary>
    public Target(Func<string, TargetFile?>? openFile = null) => _openFile = openFile;

    /// <summary>The modules loaded now, the main program first.</summary>
    public IReadOnlyList<Module> Modules => _modules;

    /// <summary>Which functions a step into passes over; replace it to change the pattern or the rules.</summary>
    public StepAvoidance StepAvoidance { get; set; } = new();

    /// <summary>The main program, once known.</summary>
    public Module? MainProgram => _modules.FirstOrDefault(m => m.IsMainProgram);

    /// <summary>Adds the image at <paramref name="path"/> with <paramref name="loadBias"/>; returns the existing module if already present.</summary>
    public Module Add(string path, ulong loadBias, bool isMainProgram)
    {
        lock (_gate)
        {
            var existing = _modules.FirstOrDefault(m => m.Path == path && m.LoadBias == loadBias);
            if (existing is not null) return existing;
            var module = new Module(_nextId++, path, loadBias, isMainProgram, _openFile);
            _modules = isMainProgram ? [module, .. _modules] : [.. _modules, module];
            return module;
        }
    }

    /// <summary>Adds an image read from process memory (the vDSO) under <paramref name="name"/>; returns the existing module if already present.</summary>
    public Module AddImage(string name, byte[] image, ulong loadBias)
    {
        lock (_gate)
        {
            var existing = _modules.FirstOrDefault(m => m.Path == name && m.LoadBias == loadBias);
            if (existing is not null) return existing;
            var module = new Module(_nextId++, name, image, loadBias);
            _modules = [.. _modules, module];
            return module;
        }
    }

    /// <summary>Removes the module at <paramref name="path"/> with <paramref name="loadBias"/>; returns it, or null.</summary>
    public Module? Remove(string path, ulong loadBias)
    {
        lock (_gate)
        {
            var existing = _modules.FirstOrDefault(m => m.Path == path && m.LoadBias == loadBias);
            if (existing is null) return null;
            _modules = _modules.Where(m => m != existing).ToArray();
            return existing;
        }
    }

    /// <summary>Removes every module (after exec) and returns them; the caller disposes them once nothing reads them.</summary>
    public IReadOnlyList<Module> Clear()
    {
        lock (_gate)
        {
            var gone = _modules;
            _modules = [];
            return gone;
        }
    }

    /// <summary>The module whose loaded segments contain run-time <paramref name="address"/>, or null.</summary>
    public Module? ModuleAt(ulong address)
    {
        foreach (var m in _modules)
        {
            if (m.Contains(address)) return m;
        }
        return null;
    }

    /// <summary>The demangled name of the ELF symbol covering run-time <paramref name="address"/>, or null.</summary>
    public string? SymbolNameAt(ulong address) => ModuleAt(address)?.SymbolAt(address) is { } s ? FrameSymbolizer.Demangle(s.Name) : null;

    /// <inheritdoc/>
    public (UnwindRow Row, ulong LoadBias)? FindRow(ulong pc)
    {
        var module = ModuleAt(pc);
        if (module?.FindUnwindRow(pc) is { } row) return (row, module.LoadBias);
        return null;
    }

    /// <inheritdoc/>
    public bool IsFunctionEntry(ulong pc) => ModuleAt(pc) is { } m && m.SymbolAt(pc) is { } s && s.Value == m.ToFileAddress(pc);

    /// <inheritdoc/>
    public bool IsModuleCode(ulong pc) => ModuleAt(pc) is not null;

    /// <inheritdoc/>
    public bool IsInPlt(ulong pc) => ModuleAt(pc)?.IsInPlt(pc) == true;

    /// <inheritdoc/>
    /// <remarks>The debug information's function (assembly functions have one too, and a stripped library's local
    /// functions are only there), else the ELF symbol.</remarks>
    public ulong? FunctionStart(ulong pc)
    {
        if (ModuleAt(pc) is not { } m) return null;
        ulong file = m.ToFileAddress(pc);
        try
        {
            if (m.Symbols?.Lookup(file).Function?.Die.Ranges.FirstOrDefault(r => file >= r.Low && file < r.High) is { High: > 0 } range)
                return m.ToRuntimeAddress(range.Low);
        }
        catch (InvalidDataException)
        {
            // Unreadable debug information: the symbol table may still say.
        }
        return m.SymbolAt(pc) is { } s ? m.ToRuntimeAddress(s.Value) : null;
    }

    /// <inheritdoc/>
    public bool IsStackBottom(ulong pc) => ModuleAt(pc)?.SymbolAt(pc) is { } s && StackStarters.Contains(s.Name);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var m in _modules) m.Dispose();
    }
}
