using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using TrapDebugger.Adapter.Handlers.Disassembly;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Process;
using TrapDebugger.Engine.Unwinding;
using TrapDebugger.Engine.Values;
using TrapDebugger.Engine.Variables;
using TrapDebugger.Targets;

namespace TrapDebugger.Adapter.Handlers.DebugConsole;

/// <summary>The commands about data: <c>print</c>, <c>ptype</c>, <c>whatis</c>, <c>x</c> and <c>info registers</c>.</summary>
/// <remarks>Expressions are the engine's (the same as Watch and hover), evaluated in the command's frame.</remarks>
public static class DataCommands
{
    /// <summary>The most units one <c>x</c> command examines.</summary>
    public const int MaxUnits = 4096;

    private const int MaxStringBytes = 4096;

    /// <summary>The commands of this group.</summary>
    public static IEnumerable<ConsoleCommand> All =>
    [
        new("print", ["p"], "p[/FMT] EXPRESSION", "Evaluate an expression in the selected frame and print its value.",
            "FMT: x hex, d signed decimal, u unsigned decimal, o octal, t binary, c character, s string. The value\nexpands like a watch.", Print, TakesFormat: true),
        new("ptype", [], "ptype EXPRESSION|TYPE", "Print the type of an expression, or a type, with its members.",
            "Typedefs are resolved; a pointer to a struct shows the struct.", PrintType),
        new("whatis", [], "whatis EXPRESSION|TYPE", "Print the type name of an expression.", "", WhatIs),
        new("x", [], "x/NFU ADDRESS", "Examine memory: N units of size U in format F, from an address expression.",
            "N: how many units (1). U: b byte, h 2 bytes, w 4 bytes (default), g 8 bytes.\nF: x hex (default), d signed, u unsigned, o octal, t binary, c char, a address with its symbol,\nf float, s C string, i instruction. ADDRESS: a pointer, an integer, or an object in memory (its address).\nExample: x/8gx $rsp", Examine, TakesFormat: true),
        new("info registers", ["i r", "info reg", "i reg"], "info registers [NAME...]", "Print the general registers of the selected frame.",
            "Registers a caller frame did not save are <not saved>. Names: rax … r15, rip (pc), rsp (sp), rbp (fp),\neflags, fs_base, gs_base; with or without $.", InfoRegisters),
    ];

    private static async Task<CommandResult> Print(CommandContext context, CommandLine line)
    {
        if (line.Arguments.Length == 0)
            throw new CommandFailedException("'print' needs an expression, e.g. 'p count' or 'p/x flags'.");
        var format = line.Format switch
        {
            null or "" => ValueFormat.Natural,
            "x" => ValueFormat.Hex,
            "d" => ValueFormat.Decimal,
            "u" => ValueFormat.Unsigned,
            "o" => ValueFormat.Octal,
            "t" => ValueFormat.Binary,
            "c" => ValueFormat.Character,
            "s" => ValueFormat.String,
            var other => throw new CommandFailedException($"'/{other}' is not a print format; use x, d, u, o, t, c or s."),
        };
        var frame = await context.FrameAsync().ConfigureAwait(false);
        var row = await context.StoppedProcess.EvaluateAsync(line.Arguments, frame.Id, format).ConfigureAwait(false);
        return new CommandResult(row.Type.Length > 0 ? $"({row.Type}) {row.Value}" : row.Value, row.VariablesReference, row.Type);
    }

    private static async Task<CommandResult> PrintType(CommandContext context, CommandLine line) =>
        new($"type = {TypeDeclaration.Expand(await TypeOfAsync(context, line, "ptype").ConfigureAwait(false))}");

    private static async Task<CommandResult> WhatIs(CommandContext context, CommandLine line) =>
        new($"type = {TypeNames.Format(await TypeOfAsync(context, line, "whatis").ConfigureAwait(false))}");

    /// <summary>The type of the expression, or the type the text names when it is not an expression.</summary>
    private static async Task<DwarfType> TypeOfAsync(CommandContext context, CommandLine line, string command)
    {
        if (line.Arguments.Length == 0)
            throw new CommandFailedException($"'{command}' needs an expression or a type name.");
        var scope = await ScopeAsync(context).ConfigureAwait(false);
        try
        {
            return Evaluator.Evaluate(line.Arguments, scope).Value.Type;
        }
        catch (ExpressionException) when (scope.FindType(line.Arguments) is { } named)
        {
            return named;
        }
    }

    private static async Task<FrameScope> ScopeAsync(CommandContext context)
    {
        var frame = await context.FrameAsync().ConfigureAwait(false);
        return await context.StoppedProcess.GetScopeAsync(frame).ConfigureAwait(false);
    }

    private static async Task<CommandResult> Examine(CommandContext context, CommandLine line)
    {
        var spec = ExamineFormat.Parse(line.Format ?? "");
        if (line.Arguments.Length == 0)
            throw new CommandFailedException("'x' needs an address, e.g. 'x/8gx $rsp' or 'x/s name'.");
        var scope = await ScopeAsync(context).ConfigureAwait(false);
        var (value, _) = Evaluator.Evaluate(line.Arguments, scope);
        ulong address = AddressOf(value, scope.Memory);
        var process = context.StoppedProcess;
        return new CommandResult(spec.Letter switch
        {
            's' => Strings(process, address, spec.Count),
            'i' => Instructions(process, address, spec.Count, (await context.FrameAsync().ConfigureAwait(false)).Pc),
            _ => Units(process, address, spec),
        });
    }

    /// <summary>The address an <c>x</c> argument stands for: a pointer's or an integer's value, or where an object lies.</summary>
    private static ulong AddressOf(DebugValue value, ITargetMemory memory) => value.Canonical switch
    {
        PointerType or BaseType { IsFloat: false } or EnumerationType => value.GetRawInteger(memory),
        _ when value.Address is { } address => address,
        _ => throw new CommandFailedException($"'x' needs an address: a value of type {value.Type.DisplayName} is neither a pointer, an integer nor an object in memory."),
    };

    private static string Units(TargetProcess process, ulong address, ExamineFormat spec)
    {
        int size = spec.Size;
        var bytes = new byte[spec.Count * size];
        int read = Math.Max(process.Memory.Read(address, bytes), 0);
        int units = read / size;
        if (units == 0)
            throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture, $"Cannot access memory at address 0x{address:x}."));
        int perLine = spec.Letter is 'a' or 'f' && size == 8 ? 2 : size switch { 1 or 2 => 8, 4 => 4, _ => 2 };
        var text = new StringBuilder();
        for (int i = 0; i < units; i++)
        {
            ulong at = address + (ulong)(i * size);
            if (i % perLine == 0)
            {
                if (i > 0)
                    text.Append('\n');
                text.Append(Label(process, at)).Append(':');
            }
            text.Append('\t').Append(spec.FormatUnit(process, bytes.AsSpan(i * size, size)));
        }
        if (units < spec.Count)
            text.Append(CultureInfo.InvariantCulture, $"\nCannot access memory at address 0x{address + (ulong)(units * size):x}.");
        return text.ToString();
    }

    private static string Strings(TargetProcess process, ulong address, int count)
    {
        var text = new StringBuilder();
        var buffer = new byte[MaxStringBytes];
        for (int i = 0; i < count; i++)
        {
            int read = Math.Max(process.Memory.Read(address, buffer), 0);
            if (read == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{Label(process, address)}:\t<error: Cannot access memory at address 0x{address:x}>");
                break;
            }
            int end = Array.IndexOf(buffer, (byte)0, 0, read);
            int length = end < 0 ? read : end;
            var literal = Quote(Encoding.UTF8.GetString(buffer, 0, length)) + (end < 0 ? "..." : "");
            text.Append(Label(process, address)).Append(":\t").Append(literal).Append('\n');
            address += (ulong)length + 1;
        }
        return text.ToString().TrimEnd('\n');
    }

    private static string Instructions(TargetProcess process, ulong address, int count, ulong pc)
    {
        var formatter = DisassembleHandler.NewFormatter();
        var text = new StringBuilder();
        foreach (var instruction in DisassembleHandler.Decode(process, address, count))
        {
            var body = CodeSymbols.Format(process, formatter, instruction);
            text.Append(instruction.IP == pc ? "=> " : "   ").Append(Label(process, instruction.IP)).Append(":\t").Append(body).Append('\n');
        }
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>An address with the symbol it lies in, as gdb labels memory: <c>0x4010 &lt;counter+4&gt;</c>.</summary>
    public static string Label(TargetProcess process, ulong address) =>
        CodeSymbols.NameOf(process, address) is { } name
            ? string.Create(CultureInfo.InvariantCulture, $"0x{address:x} <{name}>")
            : string.Create(CultureInfo.InvariantCulture, $"0x{address:x}");

    private static async Task<CommandResult> InfoRegisters(CommandContext context, CommandLine line)
    {
        var process = context.StoppedProcess;
        var frame = await context.FrameAsync().ConfigureAwait(false);
        // The innermost machine frame has every register (and the flags); a caller has what its unwind rules recovered.
        var registers = frame.Physical.Index == 0 ? await process.GetRegistersAsync(frame.ThreadId).ConfigureAwait(false) : frame.Physical.Registers;
        var names = line.Arguments.Length == 0
            ? RegisterOrder
            : line.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(n => Canonical(n.TrimStart('$').ToLowerInvariant())).ToArray();
        var text = new StringBuilder();
        foreach (var name in names)
        {
            var (value, natural) = name switch
            {
                "eflags" => (registers.Rflags, registers.Rflags is { } f ? Flags(f) : null),
                "fs_base" => ((ulong?)registers.FsBase, (string?)null),
                "gs_base" => ((ulong?)registers.GsBase, (string?)null),
                _ when RegisterSet.NumberOf(name) is >= 0 and var number => (registers.Get(number), (string?)null),
                _ => throw new CommandFailedException($"Invalid register '{name}'; 'help info registers' lists the names."),
            };
            if (value is not { } v)
            {
                text.Append(CultureInfo.InvariantCulture, $"{name,-15}<not saved>\n");
                continue;
            }
            natural ??= name switch
            {
                "rip" => Label(process, v),
                "rsp" or "rbp" or "fs_base" or "gs_base" => string.Create(CultureInfo.InvariantCulture, $"0x{v:x}"),
                _ => ((long)v).ToString(CultureInfo.InvariantCulture),
            };
            text.Append(CultureInfo.InvariantCulture, $"{name,-15}{"0x" + v.ToString("x", CultureInfo.InvariantCulture),-19}{natural}\n");
        }
        return new CommandResult(text.ToString().TrimEnd('\n'));
    }

    private static readonly string[] RegisterOrder =
        ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "eflags", "fs_base", "gs_base"];

    private static string Canonical(string name) => name switch { "pc" => "rip", "sp" => "rsp", "fp" => "rbp", "rflags" => "eflags", _ => name };

    private static string Flags(ulong flags)
    {
        (int Bit, string Name)[] known = [(0, "CF"), (2, "PF"), (4, "AF"), (6, "ZF"), (7, "SF"), (8, "TF"), (9, "IF"), (10, "DF"), (11, "OF")];
        return $"[ {string.Join(' ', known.Where(k => (flags & (1UL << k.Bit)) != 0).Select(k => k.Name))} ]".Replace("[  ]", "[ ]", StringComparison.Ordinal);
    }

    /// <summary>A string as a C literal.</summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (char c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => string.Create(CultureInfo.InvariantCulture, $"\\{(int)c:o3}"),
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }

    /// <summary>The <c>/NFU</c> of an <c>x</c> command.</summary>
    private readonly record struct ExamineFormat(int Count, char Letter, int Size)
    {
        public static ExamineFormat Parse(string text)
        {
            int i = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
                i++;
            int count = 1;
            if (i > 0 && (!int.TryParse(text.AsSpan(0, i), NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxUnits))
                throw new CommandFailedException($"'x' examines 1 to {MaxUnits} units, not {text[..i]}.");
            char letter = 'x';
            int? size = null;
            foreach (char c in text[i..])
            {
                switch (c)
                {
                    case 'b': size = 1; break;
                    case 'h': size = 2; break;
                    case 'w': size = 4; break;
                    case 'g': size = 8; break;
                    case 'x' or 'd' or 'u' or 'o' or 't' or 'c' or 'a' or 'f' or 's' or 'i': letter = c; break;
                    default: throw new CommandFailedException($"'{c}' in 'x/{text}' is neither a format (x d u o t c a f s i) nor a size (b h w g).");
                }
            }
            int unit = size ?? letter switch { 'a' => 8, 'c' => 1, 'f' => 8, _ => 4 };
            if (letter == 'a' && unit != 8)
                throw new CommandFailedException("'x/a' shows 8-byte addresses; leave out the size or use g.");
            if (letter == 'f' && unit is not (4 or 8))
                throw new CommandFailedException("'x/f' shows 4-byte (w) or 8-byte (g) floating-point numbers.");
            return new ExamineFormat(count, letter, unit);
        }

        public string FormatUnit(TargetProcess process, ReadOnlySpan<byte> bytes)
        {
            ulong raw = bytes.Length switch
            {
                1 => bytes[0],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
                4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            };
            long signed = bytes.Length switch { 1 => (sbyte)raw, 2 => (short)raw, 4 => (int)raw, _ => (long)raw };
            var invariant = CultureInfo.InvariantCulture;
            return Letter switch
            {
                'x' => "0x" + raw.ToString("x" + (Size * 2).ToString(invariant), invariant),
                'd' => signed.ToString(invariant),
                'u' => raw.ToString(invariant),
                'o' => raw == 0 ? "0" : "0" + Convert.ToString((long)raw, 8),
                't' => Convert.ToString((long)raw, 2).PadLeft(Size * 8, '0'),
                'c' => $"{signed} {(signed is >= 32 and < 127 ? $"'{(char)signed}'" : string.Create(invariant, $"'\\{raw & 0xff:o3}'"))}",
                'a' => Label(process, raw),
                'f' => Size == 4 ? BitConverter.Int32BitsToSingle((int)raw).ToString("R", invariant) : BitConverter.Int64BitsToDouble((long)raw).ToString("R", invariant),
                _ => raw.ToString(invariant),
            };
        }
    }
}
