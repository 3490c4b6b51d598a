using TrapDebugger.Cli.Commands;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.Dwarf.Tests;
using TrapDebugger.Elf;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests.Fuzzing;

/// <summary>Each mutant the fuzzer found a defect with, rebuilt as a named edit of a real binary, with the answer it must get now.</summary>
public sealed class MutationRegressionTests : IDisposable
{
    private readonly List<string> folders = [];

    public void Dispose()
    {
        foreach (var folder in folders) Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void A_unit_that_fails_to_parse_during_a_parallel_name_search_gives_its_own_error_not_an_aggregate()
    {
        // Found as "AggregateException escaped" from trapdbg lookup --name: the units are parsed side by side.
        var program = Mutated("cxx/clang22-O2", ".debug_abbrev", section => section.Fill(0xff));
        var (status, _, error) = Lookup(program, name: "main");
        Assert.Equal(1, status);
        Assert.StartsWith($"trapdbg lookup: {program}: .debug_", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void A_string_table_without_terminators_is_rejected_at_once_naming_it()
    {
        // Found as a hang: every symbol name ran to the end of .strtab, quadratic in its size (4 MB Rust program: seconds per command).
        var program = Mutated("rust/opt", ".strtab", section => section.Fill(0xff));
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(1, SymbolsCommand.Run(program, json: true, dynamic: false, output, error));
        Assert.Matches($@"^trapdbg symbols: {System.Text.RegularExpressions.Regex.Escape(program)} section \.strtab at offset 0x[0-9a-f]+: string is not NUL-terminated\.\n$", error.ToString());
    }

    [Fact]
    public void A_dwarf_error_names_the_file_it_is_in()
    {
        // Found as "the error does not name the file": DWARF errors named the section and offset only.
        var program = Mutated("c/gcc-O2", ".debug_line", section => section[4..8].Clear());
        var (status, _, error) = Lookup(program, address: AddressOf(program, "fill"));
        Assert.Equal(1, status);
        Assert.Matches($@"^trapdbg lookup: {System.Text.RegularExpressions.Regex.Escape(program)}: \.debug_line at offset 0x0: .+\.\n$", error);
    }

    [Fact]
    public void A_corrupt_zlib_section_is_named_with_its_file()
    {
        // Reported: "The archive entry was compressed using an unsupported compression method." without saying where.
        var program = Mutated("cxx/clang22-O2+zlib", ".debug_info", section => section[24] = 0); // zlib's CMF byte after the Elf64_Chdr
        var (status, _, error) = Lookup(program, name: "main");
        Assert.Equal(1, status);
        Assert.StartsWith($"trapdbg lookup: {program} section .debug_info: zlib data is corrupt (", error);
    }

    [Fact]
    public void An_error_in_a_split_dwarf_file_names_the_dwo_not_the_program()
    {
        var original = TestBinaries.SplitWithMissingCompilationDirectory();
        var dir = Folder();
        var program = Path.Combine(dir, Path.GetFileName(original));
        File.Copy(original, program);
        var dwo = Directory.EnumerateFiles(Path.GetDirectoryName(original)!, "*.dwo").Single();
        var mutated = Path.Combine(dir, Path.GetFileName(dwo));
        File.WriteAllBytes(mutated, Edit(File.ReadAllBytes(dwo), ".debug_str_offsets.dwo", section => section[8..].Fill(0xff)));
        var (status, _, error) = Lookup(program, name: "compute");
        Assert.Equal(1, status);
        Assert.StartsWith($"trapdbg lookup: {mutated}: .debug_str", error);
    }

    [Theory]
    [InlineData("verbose_trap", "clang22-O2", "5", "Bounds check")]
    [InlineData("builtin_trap", "gcc-O2", "9", null)]
    public async Task A_zeroed_line_string_table_leaves_traps_and_run_working(string fixture, string variant, string trappingArgument, string? category)
    {
        // Reported: trapdbg traps --json printed an unhandled ArgumentException and run said "analysis failed: The value
        // cannot be an empty string" once every file name read from .debug_line_str was empty; the fuzzer found it again
        // in a GCC build (the source-line reader was handed "" as a path).
        var build = Fixtures.Build(fixture, variant == "gcc-O2" ? BuildVariant.GccO2 : BuildVariant.Clang22O2).Program;
        var program = MutatedFile(build, ".debug_line_str", section => section.Clear(), executable: true);
        var traps = CliRun.Traps(program, json: true);
        Assert.True(traps.Status == 0, traps.Error);
        var site = Assert.Single(traps.Json.Items("sites"));
        Assert.Null(site.Str("source"));
        var run = await CliRun.RunAsync(json: true, program, trappingArgument);
        Assert.Equal(128 + 4, run.Status);
        Assert.DoesNotContain("analysis failed", run.Output, StringComparison.Ordinal);
        Assert.Equal(category, run.Json.GetProperty("stop").Str("category"));
    }

    [Fact]
    public void A_symbol_table_retyped_away_lists_as_stripped_and_still_prints_json()
    {
        // Found as "symbols --json printed invalid JSON" (mutant 61474 of seed 20261206: .symtab sh_type 0x2 -> 0x1): the
        // "it was stripped" note went to stderr and nothing to stdout.
        var program = MutatedHeader("c/gcc-O2", ".symtab", ShType, 1);
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, SymbolsCommand.Run(program, json: true, dynamic: false, output, error));
        using (var listing = System.Text.Json.JsonDocument.Parse(output.ToString()))
            Assert.Equal(0, listing.RootElement.GetArrayLength());
        Assert.StartsWith($"trapdbg symbols: {program} has no symbol table (.symtab)", error.ToString());
        Assert.Single(error.ToString().TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void A_legacy_compressed_section_cut_after_its_header_is_one_error_naming_it()
    {
        // Found as "ArgumentNullException escaped" (mutant 93756 of seed 20261206: .zdebug_rnglists sh_size 0x70 -> 0xc):
        // no compressed bytes, and a stream was pointed at no memory.
        var program = MutatedHeader("cxx/gcc-O2+zlibgnu", ".zdebug_rnglists", ShSize, 12);
        var (status, _, error) = Lookup(program, name: "main");
        Assert.Equal(1, status);
        Assert.StartsWith($"trapdbg lookup: {program}", error);
        Assert.Contains(".zdebug_rnglists", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    private static (int Status, string Output, string Error) Lookup(string program, string? name = null, string? address = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int status = LookupCommand.Run(program, address is null ? [] : [address], name, null, demangle: true, [], output, error);
        return (status, output.ToString(), error.ToString());
    }

    private static string AddressOf(string program, string function)
    {
        using var elf = ElfFile.Open(program);
        return $"0x{elf.Symbols.FindByName(function).Single().Value:x}";
    }

    private delegate void SectionEdit(Span<byte> section);

    private string Folder()
    {
        var dir = Directory.CreateTempSubdirectory("trapdbg-regression-").FullName;
        folders.Add(dir);
        return dir;
    }

    // A copy of a test binary with one section's bytes edited, in a folder of its own.
    private string Mutated(string testBinary, string section, SectionEdit edit, bool executable = false) =>
        MutatedFile(TestBinaries.Path(testBinary), section, edit, executable);

    private string MutatedFile(string original, string section, SectionEdit edit, bool executable = false)
    {
        var dir = Folder();
        var path = Path.Combine(dir, Path.GetFileName(original));
        File.WriteAllBytes(path, Edit(File.ReadAllBytes(original), section, edit));
        if (executable && OperatingSystem.IsLinux()) File.SetUnixFileMode(path, File.GetUnixFileMode(original));
        return path;
    }

    // Offsets of Elf64_Shdr fields: sh_type (4 bytes), sh_size (8 bytes).
    private const int ShType = 4, ShSize = 0x20;

    // A copy of a test binary with one field of one section's header set to a value.
    private string MutatedHeader(string testBinary, string sectionName, int field, ulong value)
    {
        var image = File.ReadAllBytes(TestBinaries.Path(testBinary));
        using (var elf = ElfFile.Read(image))
        {
            var section = elf.FindSection(sectionName) ?? throw new InvalidOperationException($"no {sectionName}");
            var shoff = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(0x28));
            var shentsize = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(0x3a));
            var at = image.AsSpan((int)(shoff + (ulong)(section.Index * shentsize)) + field);
            if (field == ShType) System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(at, (uint)value);
            else System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(at, value);
        }
        var path = Path.Combine(Folder(), Path.GetFileName(TestBinaries.Path(testBinary)));
        File.WriteAllBytes(path, image);
        return path;
    }

    private static byte[] Edit(byte[] image, string sectionName, SectionEdit edit)
    {
        using (var elf = ElfFile.Read(image))
        {
            var section = elf.FindSection(sectionName) ?? throw new InvalidOperationException($"no {sectionName}");
            edit(image.AsSpan((int)section.Offset, (int)section.Size));
        }
        return image;
    }
}
