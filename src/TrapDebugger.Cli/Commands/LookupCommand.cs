using System.CommandLine;
using System.Globalization;
using TrapDebugger.Cli.Usage;
using TrapDebugger.Dwarf;
using TrapDebugger.Elf;
using TrapDebugger.Elf.Demangling;

namespace TrapDebugger.Cli.Commands;

/// <summary><c>trapdbg lookup BINARY --address 0xADDR | --name NAME | --line FILE:N</c>: symbolizes like llvm-addr2line -f -i -C.</summary>
public static class LookupCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var binary = new Argument<string>("BINARY") { Description = "The ELF file to look in (its separate debug file is found by build id or .gnu_debuglink)." };
        var address = new Option<string[]>("--address", "-a") { Description = "Link-time address(es) to symbolize (hex with 0x, or decimal).", AllowMultipleArgumentsPerToken = true };
        var name = new Option<string?>("--name", "-n") { Description = "Function name (plain, qualified or mangled) to find." };
        var line = new Option<string?>("--line", "-l") { Description = "FILE:LINE to find code for." };
        var raw = new Option<bool>("--no-demangle") { Description = "Print mangled names." };
        var debugDirs = new Option<string[]>("--debug-dir") { Description = "Extra directories to search for separate debug files." };
        var command = new Command("lookup", "Look up an address, a function name or a source line in a binary's symbols and DWARF.")
        {
            binary, address, name, line, raw, debugDirs,
        };
        command.SetAction(parse => Run(parse.GetValue(binary)!, parse.GetValue(address) ?? [], parse.GetValue(name), parse.GetValue(line),
            !parse.GetValue(raw), parse.GetValue(debugDirs) ?? [], Console.Out, Console.Error));
        return command;
    }

    /// <summary>Runs one lookup, writing results to <paramref name="output"/> and a one-line error to <paramref name="error"/>; returns the exit code.</summary>
    public static int Run(string path, IReadOnlyList<string> addresses, string? name, string? line, bool demangle,
        IReadOnlyList<string> debugDirs, TextWriter output, TextWriter error)
    {
        if (addresses.Count == 0 && name == null && line == null)
        {
            error.WriteLine("trapdbg lookup: give --address, --name or --line.");
            return ExitStatus.Usage;
        }
        try
        {
            using var index = SymbolIndex.Open(path, new DebugFileLocator(null, debugDirs));
            string Show(string n) => demangle ? Demangle(n) : n;
            foreach (var text in addresses)
            {
                if (!TryParseAddress(text, out ulong a))
                {
                    error.WriteLine($"trapdbg lookup: '{text}' is not an address (use 0x-prefixed hex or decimal).");
                    return ExitStatus.Usage;
                }
                foreach (var frame in index.Symbolize(a))
                {
                    output.WriteLine(Show(frame.FunctionName));
                    // llvm-addr2line's GNU style: no column, the discriminator when there is one.
                    output.WriteLine(frame.File == null ? "??:0"
                        : $"{frame.File}:{frame.Line}{(frame.Discriminator != 0 ? $" (discriminator {frame.Discriminator.ToString(CultureInfo.InvariantCulture)})" : "")}");
                }
            }
            if (name != null)
            {
                var matches = index.FindFunctions(name);
                if (matches.Count == 0)
                {
                    error.WriteLine($"trapdbg lookup: no function named '{name}' in {path}.");
                    return ExitStatus.Failure;
                }
                var ordered = matches.OrderBy(m => m.EntryAddress).ToList();
                // Each match's line usually comes from the line table of another unit: they are read side by side, and
                // the first damaged table is reported as it would be read one by one.
                var lines = new SourceLocation?[ordered.Count];
                var failures = new Exception?[ordered.Count];
                Parallel.For(0, ordered.Count, i =>
                {
                    try { lines[i] = index.LineAt(ordered[i].EntryAddress); }
                    catch (Exception e) when (e is InvalidDataException or IOException) { failures[i] = e; }
                });
                if (failures.FirstOrDefault(f => f is not null) is { } failure)
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                for (int i = 0; i < ordered.Count; i++)
                {
                    var (m, where) = (ordered[i], lines[i]);
                    string shown = m.LinkageName is { } l ? Show(l) : m.QualifiedName ?? m.Name;
                    output.WriteLine($"0x{m.EntryAddress:x16} {shown}{(m.IsInlined ? " [inlined]" : "")}{(where?.File != null ? " at " + where : "")}");
                }
            }
            if (line != null)
            {
                int colon = line.LastIndexOf(':');
                if (colon <= 0 || !uint.TryParse(line.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out uint n))
                {
                    error.WriteLine($"trapdbg lookup: '{line}' is not FILE:LINE.");
                    return ExitStatus.Usage;
                }
                var matches = index.FindLine(line[..colon], n);
                if (matches.Count == 0)
                {
                    error.WriteLine($"trapdbg lookup: no code for {line} in {path}.");
                    return ExitStatus.Failure;
                }
                foreach (var m in matches)
                {
                    var fn = index.Symbolize(m.Address)[^1].FunctionName;
                    output.WriteLine($"0x{m.Address:x16} {m.Location} in {Show(fn)}");
                }
            }
            return ExitStatus.Success;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"trapdbg lookup: {ReadError.Describe(path, e)}");
            return ExitStatus.Failure;
        }
    }

    private static string Demangle(string name) => Demangler.TryDemangle(name) ?? name;

    private static bool TryParseAddress(string text, out ulong value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
