using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;

namespace TrapDebugger.Engine.Model;

/// <summary>Keeps a process's <see cref="Target"/> in step with what the target reports: the program (from the
/// auxiliary vector's entry point), the kernel's vDSO (read from memory), the shared libraries the loader maps and
/// unmaps, and a new program after an exec. Pending breakpoints resolve in each module as it loads, and the debugger
/// checks it could make are watched.</summary>
internal sealed class ModuleTracker(ITarget target, Target modules, BreakpointTable breakpoints, Diagnosis.DebuggerCheckWatch checks,
    Action<DebugEvent> raise, string? programPath)
{
    // Modules of programs replaced by exec, disposed with the process.
    private readonly List<Module> _retired = [];

    /// <summary>The path of the program (the new one after an exec).</summary>
    public string? ProgramPath { get; private set; } = programPath;

    /// <summary>Adds the program and the vDSO of a process that has just been launched, attached or opened.</summary>
    public async Task AddProgramAsync()
    {
        await AddMainProgramAsync().ConfigureAwait(false);
        await AddVdsoAsync().ConfigureAwait(false);
    }

    /// <summary>Adds the shared objects the target already lists.</summary>
    public void AddLoaded()
    {
        foreach (var m in target.Modules) AddModule(m.Path, m.LoadBias);
    }

    private async Task AddMainProgramAsync()
    {
        if (ProgramPath is null) return;
        try
        {
            var auxv = await target.GetAuxiliaryVectorAsync().ConfigureAwait(false);
            using var file = target.OpenFile(ProgramPath) ?? throw new FileNotFoundException($"Could not find file '{ProgramPath}'.");
            using var elf = ModuleFiles.OpenElf(file);
            ulong bias = auxv[AuxVector.AT_ENTRY] is { } entry ? entry - elf.Header.Entry : 0;
            var module = modules.Add(ProgramPath, bias, isMainProgram: true);
            raise(new ModuleEvent(module, true));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or TargetException)
        {
            raise(new OutputEvent("console", $"cannot read the program '{ProgramPath}': {e.Message}\n"));
        }
    }

    /// <summary>Adds the kernel's vDSO, read from process memory (it has no file), so its CFI and symbols serve the
    /// unwinder and the symbolizer for threads stopped in clock_gettime and friends.</summary>
    private async Task AddVdsoAsync()
    {
        const int MaxVdsoSize = 1 << 20;
        try
        {
            if ((await target.GetAuxiliaryVectorAsync().ConfigureAwait(false))[AuxVector.AT_SYSINFO_EHDR] is not { } start || start == 0) return;
            // The whole image is mapped in one region (section headers included); its size comes from the maps line.
            var region = (await target.GetMemoryRegionsAsync().ConfigureAwait(false)).FirstOrDefault(r => r.Start == start);
            if (region is null || region.End - region.Start > MaxVdsoSize) return;
            var image = new byte[region.End - region.Start];
            if (target.Memory.Read(start, image) != image.Length) return;
            using var elf = Elf.ElfFile.Read(image, "[vdso]");
            var first = elf.Segments.Where(s => s.Type == Elf.ElfSegmentType.Load).Select(s => s.VirtualAddress).DefaultIfEmpty(0UL).Min();
            var module = modules.AddImage("[vdso]", image, start - first);
            raise(new ModuleEvent(module, true));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or TargetException)
        {
            raise(new OutputEvent("console", $"cannot read the vDSO of process {target.ProcessId}: {e.Message}\n"));
        }
    }

    private void AddModule(string path, ulong bias)
    {
        if (modules.Modules.Any(m => m.Path == path && m.LoadBias == bias)) return;
        // The loader's link map names the vDSO "linux-vdso.so.1", a file that does not exist: it is the [vdso] module.
        if (modules.Modules.Any(m => m.IsMemoryImage && m.LoadBias == bias) && !FileExists(path)) return;
        var module = modules.Add(path, bias, isMainProgram: false);
        raise(new ModuleEvent(module, true));
        breakpoints.ResolvePending(module);
        checks.Watch(module);
    }

    private bool FileExists(string path)
    {
        using var file = target.OpenFile(path);
        return file is not null;
    }

    /// <summary>A shared object was mapped.</summary>
    public void Loaded(ModuleLoaded loaded) => AddModule(loaded.Path, loaded.LoadBias);

    /// <summary>A shared object was unmapped.</summary>
    public void Unloaded(ModuleUnloaded unloaded)
    {
        if (modules.Remove(unloaded.Path, unloaded.LoadBias) is { } gone) raise(new ModuleEvent(gone, false));
    }

    /// <summary>The process replaced its image: the old modules go, the new program and its vDSO come.</summary>
    public async Task ExecutedAsync(ProcessExecuted executed)
    {
        // The old images are gone with the old address space; readers that still hold one finish with it before it is
        // disposed with the process.
        foreach (var old in modules.Clear())
        {
            _retired.Add(old);
            raise(new ModuleEvent(old, false));
        }
        raise(new OutputEvent("console", $"process {target.ProcessId} executed '{executed.ExecutablePath}'\n"));
        if (executed.ExecutablePath.Length > 0) ProgramPath = executed.ExecutablePath;
        await AddProgramAsync().ConfigureAwait(false);
    }

    /// <summary>Disposes the modules of the programs exec replaced.</summary>
    public void DisposeRetired()
    {
        foreach (var m in _retired) m.Dispose();
    }
}
