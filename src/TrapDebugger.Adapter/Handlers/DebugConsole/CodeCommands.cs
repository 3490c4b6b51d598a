using System.Globalization;
using System.Text;
using TrapDebugger.Adapter.Handlers.Disassembly;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Process;
using TrapDebugger.Traps;

namespace TrapDebugger.Adapter.Handlers.DebugConsole;

/// <summary>The commands about code and modules: <c>disassemble</c> and <c>info sharedlibrary</c>.</summary>
public static class CodeCommands
{
    /// <summary>The most instructions one <c>disassemble</c> prints.</summary>
    public const int MaxInstructions = 4096;

    /// <summary>The commands of this group.</summary>
    public static IEnumerable<ConsoleCommand> All =>
    [
        new("disassemble", ["disas"], "disassemble [/r] [FUNCTION|ADDRESS]", "Disassemble a function: the selected frame's, or one named or containing an address.",
            "=> marks the selected frame's pc; calls and jumps name their targets (call 0x1130 <strlen@plt>). /r adds\nthe raw bytes.", Disassemble, TakesFormat: true),
        new("info sharedlibrary", ["info shared", "i shared"], "info sharedlibrary", "List the loaded modules with their address ranges and whether they have symbols.",
            "", InfoSharedLibrary),
    ];

    private static async Task<CommandResult> Disassemble(CommandContext context, CommandLine line)
    {
        // gdb takes the modifier attached (disassemble/r) or as the first word (disassemble /r main).
        var modifier = line.Format;
        var argument = line.Arguments;
        if (modifier is null && argument.StartsWith('/'))
        {
            int end = argument.IndexOf(' ', StringComparison.Ordinal);
            modifier = end < 0 ? argument[1..] : argument[1..end];
            argument = end < 0 ? "" : argument[end..].Trim();
        }
        bool raw = modifier switch
        {
            null => false,
            "r" => true,
            var other => throw new CommandFailedException($"'/{other}' is not a disassemble option; use /r for raw bytes."),
        };
        var process = context.StoppedProcess;
        var frame = await context.FrameAsync().ConfigureAwait(false);
        var function = argument.Length == 0
            ? process.TrapSymbols.FindFunction(frame.Pc)
                ?? throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture, $"No function contains the pc 0x{frame.Pc:x}; try 'x/20i $pc'."))
            : await FunctionOfAsync(context, process, argument).ConfigureAwait(false);

        var formatter = DisassembleHandler.NewFormatter();
        var text = new StringBuilder($"Dump of assembler code for function {function.Name}:\n");
        int count = 0;
        foreach (var instruction in DisassembleHandler.Decode(process, function.Start, MaxInstructions, function.End))
        {
            count++;
            var body = CodeSymbols.Format(process, formatter, instruction);
            text.Append(instruction.IP == frame.Pc ? "=> " : "   ")
                .Append(CultureInfo.InvariantCulture, $"0x{instruction.IP:x16} <+{instruction.IP - function.Start}>:\t");
            if (raw)
                text.Append(RawBytes(process, instruction.IP, instruction.Length)).Append('\t');
            text.Append(body).Append('\n');
        }
        if (count >= MaxInstructions)
            text.Append(CultureInfo.InvariantCulture, $"(stopped after {MaxInstructions} instructions)\n");
        return new CommandResult(text.Append("End of assembler dump.").ToString());
    }

    /// <summary>The function a <c>disassemble</c> argument names: a function of any module by name, else the one
    /// containing the address an expression evaluates to.</summary>
    private static async Task<FunctionBounds> FunctionOfAsync(CommandContext context, TargetProcess process, string argument)
    {
        foreach (var module in process.Target.Modules.OrderBy(m => m.IsMainProgram ? 0 : 1))
        {
            if (module.Symbols?.FindFunctions(argument).FirstOrDefault(f => !f.IsInlined) is { } match
                && process.TrapSymbols.FindFunction(module.ToRuntimeAddress(match.EntryAddress)) is { } bounds)
                return bounds;
        }
        var scope = await process.GetScopeAsync(await context.FrameAsync().ConfigureAwait(false)).ConfigureAwait(false);
        ulong address;
        try
        {
            var (value, _) = Evaluator.Evaluate(argument, scope);
            address = value.Address is { } a && value.Canonical is Dwarf.Types.SubroutineType ? a : value.GetRawInteger(scope.Memory);
        }
        catch (ExpressionException e)
        {
            throw new CommandFailedException($"No function is named '{argument}', and it is not an address: {e.Message}");
        }
        return process.TrapSymbols.FindFunction(address)
            ?? throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture, $"No function contains the address 0x{address:x}; try 'x/20i {argument}'."));
    }

    private static string RawBytes(TargetProcess process, ulong address, int length)
    {
        Span<byte> bytes = stackalloc byte[16];
        int read = Math.Max(process.Memory.Read(address, bytes[..Math.Min(length, 16)]), 0);
        return string.Join(' ', bytes[..read].ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    private static Task<CommandResult> InfoSharedLibrary(CommandContext context, CommandLine line)
    {
        var process = context.Debuggee.Process;
        var text = new StringBuilder($"{"From",-18} {"To",-18} {"Syms",-6} Path\n");
        foreach (var module in process.Target.Modules.OrderBy(m => m.Start))
        {
            string symbols;
            try
            {
                symbols = module.HasDebugInfo ? "Yes" : module.Symbols is null ? "No" : "Table";
            }
            catch (InvalidDataException)
            {
                symbols = "No";
            }
            text.Append(CultureInfo.InvariantCulture, $"0x{module.Start:x16} 0x{module.End:x16} {symbols,-6} {module.Path}\n");
        }
        text.Append("(Syms: Yes = debug information, Table = symbol table only, No = none.)");
        return Task.FromResult(new CommandResult(text.ToString()));
    }
}
