using System.CommandLine;
using System.Text.Json;
using TrapDebugger.Cli.Usage;
using TrapDebugger.Elf;

namespace TrapDebugger.Cli.Commands;

/// <summary><c>trapdbg symbols BINARY [--json] [--dynamic]</c>: lists ELF symbols like nm (address, kind letter, name).</summary>
public static class SymbolsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var binary = new Argument<string>("BINARY") { Description = "The ELF file whose symbols to list." };
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of nm-style lines." };
        var dynamic = new Option<bool>("--dynamic", "-D") { Description = "List .dynsym instead of .symtab." };
        var command = new Command("symbols", "List the symbols of an ELF file, like nm.") { binary, json, dynamic };
        command.SetAction(parse => Run(parse.GetValue(binary)!, parse.GetValue(json), parse.GetValue(dynamic), Console.Out, Console.Error));
        return command;
    }

    /// <summary>Writes the listing to <paramref name="output"/>; errors go to <paramref name="error"/> as one line. Returns the exit code.</summary>
    public static int Run(string path, bool json, bool dynamic, TextWriter output, TextWriter error)
    {
        try
        {
            using var elf = ElfFile.Open(path);
            if (MissingTable(elf, path, dynamic) is { } missing)
            {
                // As nm: nothing to list is not a failure, but the user hears why the listing is empty; a script asking for
                // JSON still gets a (empty) JSON array.
                if (json) output.WriteLine("[]");
                error.WriteLine($"trapdbg symbols: {missing}");
                return ExitStatus.Success;
            }
            var symbols = (dynamic ? elf.Symbols.Dynamic : elf.Symbols.Static)
                .Where(NmSymbolKind.IsListed)
                .OrderBy(s => s.VersionedName, StringComparer.Ordinal).ThenBy(s => s.Value)
                .ToList();
            if (json)
            {
                using var stream = new MemoryStream();
                using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    w.WriteStartArray();
                    foreach (var s in symbols)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", s.Name);
                        if (!s.IsUndefined) w.WriteString("address", $"0x{s.Value:x16}"); else w.WriteNull("address");
                        w.WriteString("kind", NmSymbolKind.Of(elf, s).ToString());
                        w.WriteNumber("size", s.Size);
                        w.WriteString("type", s.Type.ToString());
                        w.WriteString("binding", s.Binding.ToString());
                        w.WriteString("visibility", s.Visibility.ToString());
                        w.WriteBoolean("undefined", s.IsUndefined);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
                return ExitStatus.Success;
            }
            foreach (var s in symbols)
            {
                string address = s.IsUndefined ? new string(' ', 16) : s.Value.ToString("x16");
                output.WriteLine($"{address} {NmSymbolKind.Of(elf, s)} {s.VersionedName}");
            }
            return ExitStatus.Success;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"trapdbg symbols: {ReadError.Describe(path, e)}");
            return ExitStatus.Failure;
        }
    }

    /// <summary>Why the asked-for table cannot be listed (the file has no such section), or null when it is there.</summary>
    private static string? MissingTable(ElfFile elf, string path, bool dynamic)
    {
        var type = dynamic ? ElfSectionType.DynamicSymbolTable : ElfSectionType.SymbolTable;
        if (elf.Sections.Any(s => s.Type == type)) return null;
        if (dynamic) return $"{path} has no dynamic symbol table (.dynsym): it is not linked against shared libraries.";
        var hasDynamic = elf.Sections.Any(s => s.Type == ElfSectionType.DynamicSymbolTable);
        return hasDynamic
            ? $"{path} has no symbol table (.symtab): it was stripped. Its dynamic symbols are still there: trapdbg symbols -D {path}"
            : $"{path} has no symbol table (.symtab) and no dynamic symbol table (.dynsym): it was stripped of every symbol.";
    }
}
