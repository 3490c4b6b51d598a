using TrapDebugger.Elf;
using TrapDebugger.Elf.Core;
using TrapDebugger.Engine.Process;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cores.Tests;

/// <summary>A core's program is found by build-id: at the path the user names after it moved, through a build-id link
/// under a debug root; a rebuilt file at the recorded path is used for symbols with one warning but never for the code
/// the core left out; a missing one gets one sentence.</summary>
public sealed class ModuleLookupTests : IDisposable
{
    private const string Message = "destination slot out of range";
    private readonly string _folder = Directory.CreateTempSubdirectory("trapdbg-core-lookup-").FullName;
    private readonly string _crashed, _program, _core;

    public ModuleLookupTests()
    {
        // The program crashes in a folder of its own, so the core records a path the test can empty or fill.
        _crashed = Directory.CreateDirectory(Path.Combine(_folder, "crashed")).FullName;
        _program = Path.Combine(_crashed, "prog");
        File.Copy(Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O0).Program, _program);
        _core = CoreDumps.WriteKernelCore(_program, ["bounds"], _crashed);
    }

    [Fact]
    public async Task AtTheRecordedPathTheProgramIsUsedWithoutAWarning()
    {
        var target = CoreTarget.Open(_core);
        await using var process = await TargetProcess.OpenAsync(target);
        Assert.Equal(Message, process.LastDiagnosis?.Message);
        Assert.Equal(_program, process.ProgramPath);
        Assert.Empty(target.Warnings);
    }

    [Fact]
    public async Task AMovedProgramIsUsedWhenNamedAndItsBuildIdMatches()
    {
        var moved = Path.Combine(Directory.CreateDirectory(Path.Combine(_folder, "moved")).FullName, "prog");
        File.Move(_program, moved);
        var target = CoreTarget.Open(_core, new ModuleFileLocator(moved));
        await using var process = await TargetProcess.OpenAsync(target);
        Assert.Equal(Message, process.LastDiagnosis?.Message);
        // The module keeps the path the core recorded; its bytes come from the named file.
        Assert.Equal(_program, process.ProgramPath);
        Assert.Empty(target.Warnings);
    }

    [Fact]
    public async Task AMissingProgramGetsOneSentenceAndTheCoreIsStillOpened()
    {
        File.Delete(_program);
        var target = CoreTarget.Open(_core);
        await using var process = await TargetProcess.OpenAsync(target);
        Assert.NotNull(process.LastStop);
        var warning = Assert.Single(target.Warnings, w => w.Contains(_program, StringComparison.Ordinal));
        Assert.StartsWith($"The program {_program} is not on this machine and no file with its build-id ", warning, StringComparison.Ordinal);
        Assert.EndsWith("; name the program's file to use it.", warning, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', warning);
    }

    [Fact]
    public async Task ARebuiltProgramIsUsedForSymbolsWithAWarningButNeverForTheCodeTheCoreLeftOut()
    {
        var onDisk = Path.Combine(Directory.CreateDirectory(Path.Combine(_folder, "original")).FullName, "prog");
        File.Move(_program, onDisk);
        // The same source at -O2: another build-id at the recorded path.
        File.Copy(Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O2).Program, _program);
        using (var elf = ElfFile.Open(_program))
        using (var original = ElfFile.Open(onDisk))
            Assert.NotEqual(original.BuildIdHex, elf.BuildIdHex);
        var target = CoreTarget.Open(_core);
        await using var process = await TargetProcess.OpenAsync(target);
        var warning = Assert.Single(target.Warnings, w => w.Contains("build-id", StringComparison.Ordinal));
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(_program)} has build-id [0-9a-f]+ but the core's prog has [0-9a-f]+, so its symbols may not match the core and the code the core left out of it reads as absent\\.$", warning);
        // The trap's code page is not in a kernel core (an unchanged file page): with the rebuilt file it reads as absent.
        var rip = (await target.GetRegistersAsync(target.Core.SignalledThread.ThreadId)).Rip;
        Assert.Null(target.Core.Memory.FindSegment(rip) is { } s && rip - s.Address < s.FileSize ? s : null);
        Assert.Equal(0, target.Memory.Read(rip, new byte[2]));

        // The right file, found again by its build-id, supplies those bytes: a ud2.
        var found = CoreTarget.Open(_core, new ModuleFileLocator(onDisk));
        await using var right = await TargetProcess.OpenAsync(found);
        var code = new byte[2];
        Assert.Equal(2, found.Memory.Read(rip, code));
        Assert.Equal(new byte[] { 0x0f, 0x0b }, code);
        Assert.Equal(Message, right.LastDiagnosis?.Message);
        Assert.DoesNotContain(found.Warnings, w => w.Contains("build-id", StringComparison.Ordinal));
    }

    [Fact]
    public void AProgramIsFoundThroughTheBuildIdLinkUnderADebugRoot()
    {
        string buildId;
        using (var elf = ElfFile.Open(_program))
            buildId = elf.BuildIdHex!;
        var root = Path.Combine(_folder, "debug");
        var link = Path.Combine(root, ".build-id", buildId[..2], buildId[2..]);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        var stored = Path.Combine(_folder, "stored-prog");
        File.Move(_program, stored);
        File.CreateSymbolicLink(link, stored);
        var warnings = new List<string>();
        var found = new ModuleFileLocator(debugRoots: [root]).Locate(_program, buildId, warnings.Add);
        Assert.Equal(new LocatedFile(link, buildId, true), found);
        Assert.Empty(warnings);
        Assert.Null(new ModuleFileLocator(debugRoots: [root]).Locate(_program, "00" + buildId[2..], warnings.Add));
        Assert.Single(warnings);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}
