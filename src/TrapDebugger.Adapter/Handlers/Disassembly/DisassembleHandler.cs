using System.Globalization;
using Iced.Intel;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Process;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Disassembly;

/// <summary><c>disassemble</c>: decodes the process's code with Iced (Intel syntax), with function symbols and source lines;
/// negative instruction offsets walk back to an instruction boundary from the start of the function (or by resynchronizing).</summary>
public sealed class DisassembleHandler() : EngineRequestHandler<DisassembleArguments, DisassembleResponseBody>(
    Commands.Disassemble, ProtocolJsonContext.Default.DisassembleArguments, ProtocolJsonContext.Default.DisassembleResponseBody)
{
    /// <summary>The most instructions one request decodes.</summary>
    public const int MaxInstructions = 10_000;

    private const int MaxInstructionLength = 15;

    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsDisassembleRequest = true;

    /// <inheritdoc/>
    protected override Task<DisassembleResponseBody?> HandleAsync(DisassembleArguments arguments, RequestContext context, EngineState state)
    {
        var process = state.RequireDebuggee(Command).Process;
        if (arguments.InstructionCount is <= 0 or > MaxInstructions)
            throw new RequestFailedException($"disassemble: instructionCount must be between 1 and {MaxInstructions}, not {arguments.InstructionCount}.");
        ulong origin = SourceTranslation.ParseAddress(Command, arguments.MemoryReference, arguments.Offset ?? 0);
        int instructionOffset = arguments.InstructionOffset ?? 0;
        if (Math.Abs((long)instructionOffset) > MaxInstructions)
            throw new RequestFailedException($"disassemble: instructionOffset must be within ±{MaxInstructions}.");

        var body = new DisassembleResponseBody();
        int count = arguments.InstructionCount;
        ulong cursor = origin;
        if (instructionOffset < 0)
        {
            var before = InstructionsBefore(process, origin, -instructionOffset);
            int missing = -instructionOffset - before.Count;
            // Addresses below what can be decoded (start of memory, unreadable pages) are listed as invalid rows.
            ulong first = before.Count > 0 ? before[0] : origin;
            for (int i = missing; i > 0 && body.Instructions.Count < count; i--)
                body.Instructions.Add(Invalid(first - (ulong)i));
            cursor = first;
        }
        else if (instructionOffset > 0)
        {
            foreach (var instruction in Decode(process, origin, instructionOffset))
                cursor = instruction.NextIP;
        }

        bool symbols = arguments.ResolveSymbols ?? true;
        var formatter = NewFormatter();
        var output = new StringOutput();
        (string? File, int Line) lastLine = (null, -1);
        foreach (var instruction in Decode(process, cursor, count - body.Instructions.Count))
        {
            if (instruction.IsInvalid)
            {
                body.Instructions.Add(Invalid(instruction.IP));
                continue;
            }
            formatter.Format(instruction, output);
            var row = new DisassembledInstruction
            {
                Address = SourceTranslation.Address(instruction.IP),
                InstructionBytes = Bytes(process, instruction.IP, instruction.Length),
                Instruction = output.ToStringAndReset() + (symbols ? CodeSymbols.Annotation(process, instruction) : ""),
            };
            if (symbols)
                Describe(process, state.Paths, instruction.IP, row, ref lastLine);
            body.Instructions.Add(row);
        }
        return Task.FromResult<DisassembleResponseBody?>(body);
    }

    /// <summary>The Intel-syntax formatter both the Disassembly view and the console's commands use: lowercase 0x hex.</summary>
    public static Formatter NewFormatter()
    {
        var formatter = new IntelFormatter();
        formatter.Options.HexPrefix = "0x";
        formatter.Options.HexSuffix = "";
        formatter.Options.UppercaseHex = false;
        formatter.Options.FirstOperandCharIndex = 8;
        return formatter;
    }

    private static void Describe(TargetProcess process, SourcePaths paths, ulong address, DisassembledInstruction row, ref (string? File, int Line) lastLine)
    {
        // Null without symbols, or where the debug information is corrupt: the instruction is still worth showing.
        if (process.TrapSymbols.Symbolize(address) is not { } symbolized)
            return;
        row.Symbol = symbolized.Function;
        if (symbolized.Line is { Line: > 0 } line)
        {
            var key = ((string?)line.File, line.Line);
            if (key != lastLine)
            {
                row.Location = SourceTranslation.ToSource(line.File, paths);
                row.Line = line.Line;
                row.Column = line.Column > 0 ? line.Column : null;
                lastLine = key;
            }
        }
    }

    /// <summary>Up to <paramref name="count"/> instruction addresses that end exactly at <paramref name="end"/>, in address order.</summary>
    public static List<ulong> InstructionsBefore(TargetProcess process, ulong end, int count)
    {
        var anchors = new List<ulong>();
        var function = process.TrapSymbols.FindFunction(end == 0 ? 0 : end - 1);
        ulong window = (ulong)count * MaxInstructionLength + 64;
        if (function is { } f && f.Start < end && end - f.Start <= 1 << 20)
            anchors.Add(f.Start);
        ulong back = end > window ? end - window : 0;
        for (ulong shift = 0; shift < MaxInstructionLength; shift++)
            anchors.Add(back + shift);

        List<ulong> best = [];
        foreach (var anchor in anchors)
        {
            var starts = new List<ulong>();
            foreach (var instruction in Decode(process, anchor, int.MaxValue, end))
            {
                if (instruction.IP >= end)
                    break;
                starts.Add(instruction.IP);
            }
            bool landsOnEnd = starts.Count > 0 ? Last(process, starts[^1]) == end : anchor == end;
            if (!landsOnEnd)
                continue;
            if (starts.Count >= count)
                return starts.GetRange(starts.Count - count, count);
            if (starts.Count > best.Count)
                best = starts;
        }
        return best;
    }

    private static ulong Last(TargetProcess process, ulong start)
    {
        foreach (var instruction in Decode(process, start, 1))
            return instruction.IsInvalid ? start + 1 : instruction.NextIP;
        return start + 1;
    }

    /// <summary>Decodes <paramref name="count"/> instructions from <paramref name="start"/> (invalid or unreadable bytes as one-byte invalid instructions), stopping at <paramref name="limit"/>.</summary>
    public static IEnumerable<Instruction> Decode(TargetProcess process, ulong start, int count, ulong limit = ulong.MaxValue)
    {
        const int chunk = 4096;
        var buffer = new byte[chunk + MaxInstructionLength];
        ulong address = start;
        int produced = 0;
        while (produced < count && address < limit)
        {
            int read = Math.Max(process.Memory.Read(address, buffer), 0);
            if (read == 0)
            {
                var invalid = default(Instruction);
                invalid.IP = address;
                invalid.Length = 1;
                yield return invalid;
                produced++;
                address++;
                continue;
            }
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(buffer, 0, read), address);
            ulong stopAt = address + (ulong)Math.Max(read - MaxInstructionLength, 1);
            if (read < buffer.Length)
                stopAt = address + (ulong)read;
            while (produced < count && decoder.IP < stopAt && decoder.IP < limit)
            {
                // Bytes that do not decode come back as an invalid instruction with its IP and length set.
                decoder.Decode(out var instruction);
                yield return instruction;
                produced++;
            }
            if (decoder.IP == address)
                break;
            address = decoder.IP;
        }
    }

    private static string Bytes(TargetProcess process, ulong address, int length)
    {
        Span<byte> bytes = stackalloc byte[MaxInstructionLength];
        int read = process.Memory.Read(address, bytes[..Math.Min(length, MaxInstructionLength)]);
        return string.Join(' ', bytes[..Math.Max(read, 0)].ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    private static DisassembledInstruction Invalid(ulong address) => new()
    {
        Address = SourceTranslation.Address(address),
        Instruction = "??",
        PresentationHint = "invalid",
    };
}
