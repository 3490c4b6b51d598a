using System.Globalization;
using Iced.Intel;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Process;

namespace TrapDebugger.Adapter.Handlers.Disassembly;

/// <summary>Names code and data addresses the way gdb and objdump annotate disassembly: <c>&lt;main+23&gt;</c>,
/// <c>&lt;strlen@plt&gt;</c>, <c>&lt;counter&gt;</c>.</summary>
public static class CodeSymbols
{
    /// <summary>The name of <paramref name="address"/>: a PLT stub as <c>name@plt</c> (the symbol its GOT slot is bound to),
    /// else the function or ELF symbol that covers it, with the offset into it; null when nothing names it.</summary>
    public static string? NameOf(TargetProcess process, ulong address)
    {
        var module = process.Target.ModuleAt(address);
        if (module is null)
            return null;
        if (module.IsInPlt(address))
            return PltStubTarget(process, module, address) is { } target ? $"{target}@plt" : null;
        if (process.TrapSymbols.FindFunction(address) is { } function)
            return WithOffset(function.Name, address - function.Start);
        if (module.SymbolAt(address) is { } symbol && symbol.Name.Length > 0)
            return WithOffset(FrameSymbolizer.Demangle(symbol.Name), address - module.ToRuntimeAddress(symbol.Value));
        return null;
    }

    /// <summary>The instruction as the console prints it: Intel syntax with its target named, or "(bad)" for bytes that do not decode.</summary>
    public static string Format(TargetProcess process, Formatter formatter, in Instruction instruction)
    {
        if (instruction.IsInvalid)
            return "(bad)";
        var output = new StringOutput();
        formatter.Format(instruction, output);
        return output.ToStringAndReset() + Annotation(process, instruction);
    }

    /// <summary>What to write after <paramref name="instruction"/>'s text: the name of a call or jump target
    /// (<c> &lt;strlen@plt&gt;</c>), or of the location a rip-relative operand addresses (<c> # 0x4010 &lt;counter&gt;</c>); empty when unnamed.</summary>
    public static string Annotation(TargetProcess process, in Instruction instruction)
    {
        if (instruction.FlowControl is FlowControl.Call or FlowControl.UnconditionalBranch or FlowControl.ConditionalBranch
            && instruction.Op0Kind is OpKind.NearBranch16 or OpKind.NearBranch32 or OpKind.NearBranch64)
        {
            return NameOf(process, instruction.NearBranchTarget) is { } target ? $" <{target}>" : "";
        }
        if (instruction.IsIPRelativeMemoryOperand)
        {
            ulong address = instruction.IPRelativeMemoryAddress;
            var module = process.Target.ModuleAt(address);
            string? name = module?.SlotSymbolName(address) is { } slot ? $"{FrameSymbolizer.Demangle(slot)}@got" : NameOf(process, address);
            return name is null ? "" : string.Create(CultureInfo.InvariantCulture, $"  # 0x{address:x} <{name}>");
        }
        return "";
    }

    /// <summary>The symbol a PLT stub jumps to: the stub's indirect jump reads a GOT slot whose relocation names it.</summary>
    private static string? PltStubTarget(TargetProcess process, Module module, ulong stub)
    {
        Span<byte> bytes = stackalloc byte[32];
        int read = process.Memory.Read(stub, bytes);
        if (read <= 0)
            return null;
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes[..read].ToArray()), stub);
        for (int i = 0; i < 2 && decoder.IP < stub + (ulong)read; i++)
        {
            decoder.Decode(out var instruction);
            if (instruction.Code == Code.Endbr64)
                continue;
            if (instruction.FlowControl == FlowControl.IndirectBranch && instruction.IsIPRelativeMemoryOperand
                && module.SlotSymbolName(instruction.IPRelativeMemoryAddress) is { } name)
                return FrameSymbolizer.Demangle(name);
            return null;
        }
        return null;
    }

    private static string WithOffset(string name, ulong offset) =>
        offset == 0 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}+{offset}");
}
