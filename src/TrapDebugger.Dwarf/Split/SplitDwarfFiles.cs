using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>The .dwo and .dwp files that a module's skeleton units (split DWARF) point to, opened on first use.</summary>
/// <remarks>A skeleton unit carries only its address ranges, line table offset and the name and id of its .dwo; the
/// DIEs live in the .dwo (found through DW_AT_dwo_name, relative to DW_AT_comp_dir, or next to the module) or in a
/// package <c>MODULE.dwp</c> beside the module. A missing or damaged file leaves the skeleton without DIEs, as the
/// LLVM tools do (they warn and go on).</remarks>
public sealed class SplitDwarfFiles : IDisposable
{
    private readonly object _gate = new();
    private readonly DwarfFile _main;
    private readonly string? _modulePath;
    private readonly Dictionary<DwarfUnit, DwarfUnit?> _resolved = [];
    private readonly List<IDisposable> _opened = [];
    private readonly List<string> _problems = [];
    private bool _packageTried;
    private ElfFile? _package;
    private DwarfPackageIndex? _packageIndex;

    /// <summary>Resolves the skeleton units of <paramref name="main"/>, the DWARF of the module at <paramref name="modulePath"/>.</summary>
    public SplitDwarfFiles(DwarfFile main, string? modulePath)
    {
        _main = main;
        _modulePath = modulePath;
    }

    /// <summary>Why split units could not be read (one sentence each: the file and the reason).</summary>
    public IReadOnlyList<string> Problems { get { lock (_gate) return [.. _problems]; } }

    /// <summary>The split compile unit holding the DIEs of <paramref name="skeleton"/>, or null when it is not a skeleton or its file cannot be read.</summary>
    public DwarfUnit? SplitUnitOf(DwarfUnit skeleton)
    {
        lock (_gate)
        {
            if (_resolved.TryGetValue(skeleton, out var known)) return known;
            DwarfUnit? unit = null;
            if (skeleton.IsSkeleton)
            {
                try
                {
                    unit = FromPackage(skeleton) ?? FromDwo(skeleton);
                }
                catch (InvalidDataException e)
                {
                    _problems.Add($"split unit of {skeleton}: {e.Message}");
                }
                if (unit != null) unit.Skeleton = skeleton;
            }
            _resolved[skeleton] = unit;
            return unit;
        }
    }

    private DwarfUnit? FromPackage(DwarfUnit skeleton)
    {
        if (!_packageTried)
        {
            _packageTried = true;
            var path = _modulePath + ".dwp";
            if (_modulePath != null && File.Exists(path))
            {
                try
                {
                    _package = ElfFile.Open(path);
                    _opened.Add(_package);
                    _packageIndex = new DwarfPackageIndex(_package.GetDebugSection(".debug_cu_index").Span);
                }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
                {
                    _problems.Add($"{path}: {e.Message}");
                    _packageIndex = null;
                }
            }
        }
        if (_package == null || _packageIndex == null || skeleton.DwoId is not { } id || _packageIndex.Find(id) is not { } contributions)
            return null;
        ReadOnlyMemory<byte> Slice(string name, DwarfPackageSection kind)
        {
            var data = _package.GetDebugSection(name);
            foreach (var c in contributions)
            {
                if (c.Section != kind) continue;
                if ((ulong)c.Offset + c.Size > (ulong)data.Length)
                    throw DwarfError.At(name, c.Offset, $"package contribution of 0x{c.Size:x} bytes runs past the {data.Length}-byte section");
                return data.Slice((int)c.Offset, (int)c.Size);
            }
            return ReadOnlyMemory<byte>.Empty;
        }
        var sections = new DwarfSections
        {
            FileName = _package.Name,
            Info = Slice(".debug_info.dwo", DwarfPackageSection.Info),
            Abbrev = Slice(".debug_abbrev.dwo", DwarfPackageSection.Abbrev),
            Line = Slice(".debug_line.dwo", DwarfPackageSection.Line),
            Loclists = Slice(".debug_loclists.dwo", _packageIndex.Version == 5 ? DwarfPackageSection.Loclists : (DwarfPackageSection)0),
            Loc = Slice(".debug_loc.dwo", _packageIndex.Version == 2 ? DwarfPackageSection.Loclists : (DwarfPackageSection)0),
            StrOffsets = Slice(".debug_str_offsets.dwo", DwarfPackageSection.StrOffsets),
            Rnglists = Slice(".debug_rnglists.dwo", DwarfPackageSection.Rnglists),
            Str = _package.GetDebugSection(".debug_str.dwo"),
            Addr = _main.Sections.Addr,
        };
        return SplitUnitIn(new DwarfFile(sections), skeleton);
    }

    private DwarfUnit? FromDwo(DwarfUnit skeleton)
    {
        if (skeleton.DwoName is not { } name) return null;
        var candidates = new List<string>();
        if (Path.IsPathRooted(name)) candidates.Add(name);
        else if (skeleton.CompilationDirectory is { } dir) candidates.Add(Path.Combine(dir, name));
        if (_modulePath != null && Path.GetDirectoryName(Path.GetFullPath(_modulePath)) is { } moduleDir)
        {
            if (!Path.IsPathRooted(name)) candidates.Add(Path.Combine(moduleDir, name));
            candidates.Add(Path.Combine(moduleDir, Path.GetFileName(name)));
        }
        foreach (var path in candidates.Distinct())
        {
            if (!File.Exists(path)) continue;
            ElfFile dwo;
            try { dwo = ElfFile.Open(path); }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                _problems.Add($"{path}: {e.Message}");
                continue;
            }
            _opened.Add(dwo);
            var sections = new DwarfSections
            {
                FileName = dwo.Name,
                Info = dwo.GetDebugSection(".debug_info.dwo"),
                Abbrev = dwo.GetDebugSection(".debug_abbrev.dwo"),
                Line = dwo.GetDebugSection(".debug_line.dwo"),
                Loclists = dwo.GetDebugSection(".debug_loclists.dwo"),
                Loc = dwo.GetDebugSection(".debug_loc.dwo"),
                StrOffsets = dwo.GetDebugSection(".debug_str_offsets.dwo"),
                Rnglists = dwo.GetDebugSection(".debug_rnglists.dwo"),
                Str = dwo.GetDebugSection(".debug_str.dwo"),
                Addr = _main.Sections.Addr,
            };
            if (SplitUnitIn(new DwarfFile(sections), skeleton) is { } unit) return unit;
            _problems.Add($"{path}: no split unit with DWO id 0x{skeleton.DwoId ?? 0:x}");
        }
        if (candidates.Count > 0 && !candidates.Any(File.Exists))
            _problems.Add($"{candidates[0]}: the .dwo file of {skeleton} does not exist");
        return null;
    }

    // A .dwo normally holds one split compile unit; its DWO id must be the skeleton's (an older build of the .dwo would
    // describe different code).
    private static DwarfUnit? SplitUnitIn(DwarfFile file, DwarfUnit skeleton)
    {
        foreach (var u in file.Units)
            if (u.UnitType == DwarfUnitType.SplitCompile || (u.Version < 5 && u.UnitType == DwarfUnitType.Compile))
                if (skeleton.DwoId is not { } id || u.DwoId == id)
                    return u;
        return null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var f in _opened) f.Dispose();
            _opened.Clear();
        }
    }
}
