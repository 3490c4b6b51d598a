namespace TrapDebugger.Elf.Core;

/// <summary>Finds the files of a core's program and libraries on this machine, by build-id first: the file the user named
/// for the program, the path the core recorded, the build-id link under the debug roots, then the same file name in the
/// search directories.</summary>
/// <remarks>
/// <para>A core rarely travels alone with the right binaries: the program may have been rebuilt since the crash, or the
/// core comes from another host. A candidate counts only when its GNU build-id is the one the core's memory shows for
/// that file. When none matches, the first file that exists is still used for symbols, with one warning sentence, but
/// never for the code the core left out (<see cref="ICoreBackingFiles"/>): rebuilt code at the same addresses would show
/// wrong instructions, so those bytes read as absent instead.</para>
/// <para>Answers are cached per recorded path and each warning is given once. Thread-safe.</para>
/// </remarks>
public sealed class ModuleFileLocator : ICoreBackingFiles
{
    private const string DeletedSuffix = " (deleted)";

    private readonly Dictionary<string, LocatedFile?> _located = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _buildIds = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>A locator that prefers <paramref name="program"/> for the core's program and searches
    /// <paramref name="searchDirectories"/> (default: the program's folder) and <paramref name="debugRoots"/> (default:
    /// /usr/lib/debug).</summary>
    public ModuleFileLocator(string? program = null, IEnumerable<string>? searchDirectories = null, IEnumerable<string>? debugRoots = null)
    {
        Program = program is null ? null : Path.GetFullPath(program);
        var directories = searchDirectories?.Select(d => Path.GetFullPath(d)).ToList() ?? [];
        if (Program is not null && Path.GetDirectoryName(Program) is { } folder && !directories.Contains(folder))
            directories.Add(folder);
        SearchDirectories = directories;
        DebugRoots = debugRoots?.ToList() ?? [DebugFileLocator.DefaultDebugRoot];
    }

    /// <summary>The program file the user named, used for the core's program when its build-id matches (or the core shows none).</summary>
    public string? Program { get; }

    /// <summary>Folders searched for a file of the recorded name (a library next to the program, binaries copied from the crashed host).</summary>
    public IReadOnlyList<string> SearchDirectories { get; }

    /// <summary>Global debug directories searched for <c>.build-id/xx/rest</c>, the link to the binary itself.</summary>
    public IReadOnlyList<string> DebugRoots { get; }

    /// <summary>The path the core recorded for its program, so <see cref="Program"/> stands for that path; set when the core is read.</summary>
    public string? ProgramRecordedPath
    {
        get { lock (_gate) return field; }
        set { lock (_gate) field = value; }
    }

    /// <summary>The file to read for the module the core recorded at <paramref name="recordedPath"/> with build-id
    /// <paramref name="buildIdHex"/> (null when the core does not show it), or null when no candidate exists.</summary>
    /// <param name="recordedPath">The path NT_FILE or the loader's link map recorded.</param>
    /// <param name="buildIdHex">The GNU build-id the core's memory shows for the file.</param>
    /// <param name="warn">Receives one sentence, the first time only, when the file is missing or its build-id differs.</param>
    public LocatedFile? Locate(string recordedPath, string? buildIdHex, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(recordedPath);
        ArgumentNullException.ThrowIfNull(warn);
        lock (_gate)
        {
            if (_located.TryGetValue(recordedPath, out var known)) return known;
        }
        var (found, warning) = Search(recordedPath, buildIdHex);
        lock (_gate)
        {
            if (_located.TryGetValue(recordedPath, out var raced)) return raced;
            _located[recordedPath] = found;
        }
        if (warning is not null) warn(warning);
        return found;
    }

    /// <inheritdoc/>
    /// <remarks>Only a file whose build-id matches (or a file the core shows no build-id for) supplies omitted bytes.</remarks>
    public IByteSource? Open(string path, string? buildIdHex, Action<string> warn)
    {
        if (Locate(path, buildIdHex, warn) is not { Usable: true } file) return null;
        try
        {
            return MappedFile.Open(file.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warn($"{file.Path} cannot be read ({e.Message.TrimEnd('.')}), so the pages the core left out of it read as absent.");
            return null;
        }
    }

    private (LocatedFile? Found, string? Warning) Search(string recordedPath, string? buildIdHex)
    {
        bool deleted = recordedPath.EndsWith(DeletedSuffix, StringComparison.Ordinal);
        string path = deleted ? recordedPath[..^DeletedSuffix.Length] : recordedPath;
        bool isProgram = ProgramRecordedPath is { } programPath
            ? programPath == recordedPath
            : Program is not null && Path.GetFileName(Program) == Path.GetFileName(path);
        string name = Path.GetFileName(path);
        var candidates = new List<string>();
        if (isProgram && Program is not null) candidates.Add(Program);
        // A deleted file's path now holds another file (a rebuilt program); only a matching build-id makes it the one.
        if (!deleted || buildIdHex is not null) candidates.Add(path);
        if (buildIdHex is { Length: > 2 })
        {
            foreach (var root in DebugRoots)
                candidates.Add(Path.Combine(root, ".build-id", buildIdHex[..2], buildIdHex[2..]));
        }
        foreach (var dir in SearchDirectories)
            candidates.Add(Path.Combine(dir, name));
        if (!isProgram && Program is not null && Path.GetFileName(Program) == name) candidates.Add(Program);

        string? firstExisting = null, firstBuildId = null;
        foreach (var candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            if (!File.Exists(candidate)) continue;
            var id = BuildIdOf(candidate, out bool readable);
            if (!readable) continue;
            if (buildIdHex is null || string.Equals(id, buildIdHex, StringComparison.Ordinal))
            {
                string? note = isProgram && Program is not null && candidate != Program && firstExisting == Program
                    ? $"{Program} has build-id {firstBuildId ?? "(none)"} but the core's program has {buildIdHex}, so {candidate}, which matches, is used instead."
                    : null;
                return (new LocatedFile(candidate, id, true), note);
            }
            if (firstExisting is null)
            {
                firstExisting = candidate;
                firstBuildId = id;
            }
        }
        if (firstExisting is not null)
        {
            return (new LocatedFile(firstExisting, firstBuildId, false),
                $"{firstExisting} has build-id {firstBuildId ?? "(none)"} but the core's {name} has {buildIdHex}, so its symbols may not match the core and the code the core left out of it reads as absent.");
        }
        string why = deleted
            ? $"{path} was deleted after the process mapped it and no file with its build-id {buildIdHex ?? "(unknown)"} was found"
            : $"{path} is not on this machine{(buildIdHex is null ? "" : $" and no file with its build-id {buildIdHex} was found")}";
        return (null, isProgram
            ? $"The program {why}, so it has no symbols and the code the core left out of it reads as absent; name the program's file to use it."
            : $"{char.ToUpperInvariant(why[0])}{why[1..]}, so it has no symbols and the pages the core left out of it read as absent.");
    }

    // The build-id of a candidate: null for a file without one (or not ELF at all: a data file the process mapped, such as
    // the locale archive, is its own copy whatever it holds); readable is false for a file that cannot be opened.
    private string? BuildIdOf(string file, out bool readable)
    {
        lock (_gate)
        {
            if (_buildIds.TryGetValue(file, out var cached))
            {
                readable = !ReferenceEquals(cached, Unreadable);
                return readable ? cached : null;
            }
        }
        string? id;
        try
        {
            using var elf = ElfFile.Open(file);
            id = elf.BuildIdHex;
        }
        catch (InvalidDataException)
        {
            id = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            id = Unreadable;
        }
        lock (_gate) _buildIds[file] = id;
        readable = !ReferenceEquals(id, Unreadable);
        return readable ? id : null;
    }

    // Marks a candidate that cannot be opened (it is skipped, as gdb skips one).
    private static readonly string Unreadable = new('\0', 1);
}

/// <summary>A file found for one of a core's modules.</summary>
/// <param name="Path">The file on this machine.</param>
/// <param name="BuildIdHex">Its GNU build-id, or null when it has none.</param>
/// <param name="Usable">True when its build-id is the core's (or the core shows none), so its bytes may stand for memory the
/// core left out; false for a file used for symbols only, with a warning.</param>
public sealed record LocatedFile(string Path, string? BuildIdHex, bool Usable);
