using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using TrapDebugger.Cli.Rendering;
using TrapDebugger.Cli.Reports;
using TrapDebugger.Cli.TrapSites;
using TrapDebugger.Cli.Usage;
using TrapDebugger.Elf;
using TrapDebugger.Protocol.Traps;

namespace TrapDebugger.Cli.Commands;

/// <summary><c>trapdbg traps BINARY [--json]</c>: lists every trap site of a binary with its messages, category, source lines
/// and the checks merged into it, before the program ever runs.</summary>
public static class TrapsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print { \"sites\": [ … ] } as the trapSites DAP request answers." };
        var binary = new Argument<string>("BINARY") { Description = "The program or shared library to scan." };
        var command = new Command("traps", "List a binary's trap sites (ud2, UBSan ud1, int3) and the checks behind each.")
        {
            binary, json,
        };
        command.SetAction(parse => Run(parse.GetValue(binary)!, parse.GetValue(json), Console.Out, Console.Error, Terminal.StandardOutputIsTerminal));
        return command;
    }

    /// <summary>Scans <paramref name="path"/> and prints its catalog; returns the exit code (0, or 1 with one sentence on <paramref name="error"/>).</summary>
    public static int Run(string path, bool json, TextWriter output, TextWriter error, bool isTerminal)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (Directory.Exists(path))
        {
            error.WriteLine($"trapdbg traps: '{path}' is a directory, not a binary.");
            return ExitStatus.Failure;
        }
        if (!File.Exists(path))
        {
            error.WriteLine($"trapdbg traps: '{path}' does not exist.");
            return ExitStatus.Failure;
        }
        TrapSitesResponseBody body;
        try
        {
            body = ModuleTrapSites.Scan(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            error.WriteLine($"trapdbg traps: {ReadError.Describe(path, e)}");
            return ExitStatus.Failure;
        }
        if (json) output.WriteLine(JsonSerializer.Serialize(body, ReportJsonContext.Default.TrapSitesResponseBody));
        else Render(Terminal.Create(output, isTerminal), path, body);
        output.Flush();
        return ExitStatus.Success;
    }

    /// <summary>Prints the catalog for people: one block per site, its checks indented below it.</summary>
    public static void Render(IAnsiConsole console, string path, TrapSitesResponseBody body)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(body);
        var merged = body.Sites.Count(s => s.Merged);
        var functions = body.Sites.Select(s => s.Function).Distinct().Count();
        console.MarkupLine($"[bold]{E(path)}[/]: {body.Sites.Count} trap site{(body.Sites.Count == 1 ? "" : "s")} in {functions} function{(functions == 1 ? "" : "s")}" +
            (merged > 0 ? $", [yellow]{merged} merged[/] (several checks share one trap instruction)" : ""));
        foreach (var site in body.Sites)
        {
            console.WriteLine();
            var at = site.Source is { } src ? $" {E(src.Path ?? src.Name ?? "")}:{(site.Line ?? 0).ToString(CultureInfo.InvariantCulture)}" : "";
            var tag = site.Merged ? $" [bold yellow]MERGED: {site.CheckCount} checks[/]" : site.CheckCount > 1 ? $" [dim]({site.CheckCount} branches)[/]" : "";
            console.MarkupLine($"[bold]{E(site.Address)}[/] {E(site.Kind)} in [bold]{E(site.Function)}[/]{at}{tag}");
            if (site.Message is not null || site.Category is not null)
                console.MarkupLine($"    {E(Text(site.Category, site.Message))} [dim]({E(site.MessageSource)})[/]");
            foreach (var check in site.Checks)
            {
                var where = check.Source is { } cs ? $"{cs.Name}:{(check.Line ?? 0).ToString(CultureInfo.InvariantCulture)}" : check.Address;
                var message = check.Message is null ? "[dim](no message)[/]" : $"{E(Text(check.Category, check.Message))} [dim]({E(check.MessageSource)})[/]";
                var inlined = check.InlinedFrom is { } f ? $" [dim]inlined from {E(f)}[/]" : "";
                console.MarkupLine($"    check {E(check.Address)} at {E(where)}: {message}{inlined}");
            }
        }
    }

    private static string Text(string? category, string? message) =>
        category is { Length: > 0 } c ? (message is { Length: > 0 } m ? $"{c}: {m}" : c) : message ?? "";

    private static string E(string text) => Markup.Escape(text.TrimEnd());
}
