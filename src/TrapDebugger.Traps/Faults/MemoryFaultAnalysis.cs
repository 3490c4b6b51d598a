using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Explains a SIGSEGV or SIGBUS from the faulting instruction's memory operand and the process's mappings.</summary>
internal static class MemoryFaultAnalysis
{
    /// <summary>Linux never maps below vm.mmap_min_addr (64 KiB by default): an access there is a null pointer plus an offset.</summary>
    public const ulong NullPageLimit = 0x10000;

    /// <summary>The kernel's stack_guard_gap (256 pages): faults this far below the stack are stack overflows.</summary>
    public const ulong StackGuardGap = 256 * 4096;

    private const int SEGV_MAPERR = 1, SEGV_ACCERR = 2, SI_KERNEL = 0x80;
    private const int BUS_ADRALN = 1, BUS_ADRERR = 2, BUS_OBJERR = 3;

    public static StopDiagnosis Diagnose(StopContext context, StopDiagnosis basis, Instruction? instruction)
    {
        var registers = context.Registers;
        var signal = context.Signal;
        var fault = WithRegion(Decode(context, instruction), context.Regions);
        fault = fault with { Class = Classify(fault, context) };

        if (signal.Signal == Signals.SIGBUS)
        {
            var why = signal.Code switch
            {
                BUS_ADRALN => "misaligned access",
                BUS_ADRERR => "access to a nonexistent physical address (past the end of a mapped file?)",
                BUS_OBJERR => "object-specific hardware error",
                _ => "bus error",
            };
            return basis with
            {
                Kind = StopKind.BusError,
                Fault = fault,
                Description = $"Bus error: {why} {Access(fault)} 0x{fault.Address:x}",
                ShortText = "Bus error",
                Details = OperandDetails(fault),
            };
        }

        var (kind, text, shortText) = fault.Class switch
        {
            AddressClass.NullPage => (StopKind.NullDereference, NullText(fault), "Null pointer dereference"),
            AddressClass.NonCanonical => (StopKind.NonCanonicalAddress,
                $"Non-canonical address 0x{fault.Address:x}{Via(fault)}: the pointer is corrupt or uninitialized", "Invalid address"),
            AddressClass.StackGuard => (StopKind.StackOverflow,
                $"Stack overflow: {Access(fault)} 0x{fault.Address:x} below the stack (rsp = 0x{registers.Rsp:x})", "Stack overflow"),
            AddressClass.Unmapped => (StopKind.UnmappedAddress,
                $"{Capitalize(Access(fault))} unmapped address 0x{fault.Address:x}{Via(fault)}", "Invalid address"),
            AddressClass.ReadOnly => (StopKind.WriteToReadOnly,
                $"Write to read-only memory at 0x{fault.Address:x}{Via(fault)}{In(fault)}", "Write to read-only memory"),
            AddressClass.NotExecutable => (StopKind.ExecuteNonExecutable,
                $"Jump to non-executable memory at 0x{fault.Address:x}{In(fault)}", "Execute of non-executable memory"),
            AddressClass.NotReadable => (StopKind.SegmentationFault,
                $"Read of unreadable memory at 0x{fault.Address:x}{Via(fault)}{In(fault)}", "Segmentation fault"),
            _ => (StopKind.SegmentationFault,
                signal.Code == SEGV_ACCERR ? $"Access to 0x{fault.Address:x} denied by its permissions{Via(fault)}"
                : signal.Code == SEGV_MAPERR ? $"{Capitalize(Access(fault))} unmapped address 0x{fault.Address:x}{Via(fault)}"
                : $"Segmentation fault at 0x{fault.Address:x}{Via(fault)}", "Segmentation fault"),
        };
        var details = OperandDetails(fault);
        if (fault.Access == MemoryAccessKind.Execute && fault.Class is AddressClass.NullPage or AddressClass.NotExecutable or AddressClass.Unmapped or AddressClass.NonCanonical
            && CallTarget.Describe(context) is { } callee)
        {
            text = $"{text}: {callee}";
            details = [.. details, $"called: {callee}"];
        }
        return basis with { Kind = kind, Fault = fault, Description = text, ShortText = shortText, Details = details };
    }

    private static MemoryFault Decode(StopContext context, Instruction? instruction)
    {
        var registers = context.Registers;
        var signalAddress = context.Signal.Address;
        // A fault while fetching: the pc itself is the bad address (a call through a bad function pointer).
        if (instruction is null)
        {
            return new MemoryFault { Address = registers.Rip, Access = MemoryAccessKind.Execute };
        }
        var i = instruction.Value;
        var info = new InstructionInfoFactory().GetInfo(i);
        MemoryFault? best = null;
        foreach (var used in info.GetUsedMemory())
        {
            if (used.Access == OpAccess.NoMemAccess) continue;
            var address = used.GetVirtualAddress(0, (reg, _, _) => registers.Get(reg) ?? 0);
            if (used.Segment == Register.FS) address += registers.FsBase;
            else if (used.Segment == Register.GS) address += registers.GsBase;
            var ipRelative = used.Base == Register.None && i.IsIPRelativeMemoryOperand && used.Displacement == i.IPRelativeMemoryAddress;
            var candidate = new MemoryFault
            {
                Address = address,
                Access = used.Access switch
                {
                    OpAccess.Read or OpAccess.CondRead => MemoryAccessKind.Read,
                    OpAccess.Write or OpAccess.CondWrite => MemoryAccessKind.Write,
                    OpAccess.ReadWrite or OpAccess.ReadCondWrite => MemoryAccessKind.ReadWrite,
                    _ => MemoryAccessKind.Unknown,
                },
                Size = used.MemorySize.GetSize(),
                BaseRegister = ipRelative ? "rip" : used.Base == Register.None ? null : Disassembly.Name(used.Base),
                BaseValue = ipRelative ? i.NextIP : used.Base == Register.None ? null : registers.Get(used.Base),
                IndexRegister = used.Index == Register.None ? null : Disassembly.Name(used.Index),
                IndexValue = used.Index == Register.None ? null : registers.Get(used.Index),
                Scale = used.Scale,
                Displacement = ipRelative ? (long)(used.Displacement - i.NextIP) : (long)used.Displacement,
            };
            // The kernel reports the faulting page's address; prefer the operand it names (push vs. a load, movs src vs. dst).
            if (best is null || signalAddress != 0 && (candidate.Address >> 12) == (signalAddress >> 12) && (best.Address >> 12) != (signalAddress >> 12))
                best = candidate;
        }
        var fetch = signalAddress == registers.Rip && context.Signal.Code != SI_KERNEL;
        if (fetch && (best is null || (best.Address >> 12) != (signalAddress >> 12)))
            return new MemoryFault { Address = registers.Rip, Access = MemoryAccessKind.Execute };
        if (best is null)
            return new MemoryFault { Address = signalAddress, Access = MemoryAccessKind.Unknown };
        // A general-protection fault (non-canonical address) reports si_addr 0; otherwise si_addr is exact.
        if (signalAddress != 0 && context.Signal.Code != SI_KERNEL) best = best with { Address = signalAddress };
        return best;
    }

    private static AddressClass Classify(MemoryFault fault, StopContext context)
    {
        var a = fault.Address;
        if (a >= 0x0000_8000_0000_0000 && a < 0xFFFF_8000_0000_0000) return AddressClass.NonCanonical;
        if (a < NullPageLimit) return AddressClass.NullPage;
        var stack = context.StackBounds;
        if (stack is null && context.Regions.FirstOrDefault(r => r.Path == "[stack]") is { } s) stack = new AddressRange(s.Start, s.End);
        var rsp = context.Registers.Rsp;
        if (stack is { } st && a < st.Start && a + StackGuardGap >= st.Start && a + NullPageLimit >= rsp)
            return AddressClass.StackGuard;
        if (context.Regions.Count == 0)
        {
            return context.Signal.Code switch
            {
                SEGV_MAPERR => AddressClass.Unmapped,
                SEGV_ACCERR when fault.Access is MemoryAccessKind.Write or MemoryAccessKind.ReadWrite => AddressClass.ReadOnly,
                SEGV_ACCERR when fault.Access == MemoryAccessKind.Execute => AddressClass.NotExecutable,
                _ => AddressClass.Unknown,
            };
        }
        var region = context.Regions.FirstOrDefault(r => r.Contains(a));
        if (region is null) return AddressClass.Unmapped;
        return fault.Access switch
        {
            MemoryAccessKind.Execute when !region.Executable => AddressClass.NotExecutable,
            MemoryAccessKind.Write or MemoryAccessKind.ReadWrite when !region.Writable => AddressClass.ReadOnly,
            MemoryAccessKind.Read or MemoryAccessKind.ReadWrite when !region.Readable => AddressClass.NotReadable,
            _ => AddressClass.Mapped,
        };
    }

    private static string NullText(MemoryFault fault)
    {
        if (fault.Access == MemoryAccessKind.Execute)
            return fault.Address == 0 ? "Call through a null function pointer" : $"Jump to address 0x{fault.Address:x} in the null page";
        var size = fault.Size > 0 ? $" {fault.Size} byte{(fault.Size == 1 ? "" : "s")}" : "";
        var access = fault.Access switch
        {
            MemoryAccessKind.Write => "writing",
            MemoryAccessKind.ReadWrite => "updating",
            _ => "reading",
        };
        var via = fault.BaseRegister is { } b && fault.BaseValue == 0 ? $" ({b} is null)" : Via(fault);
        return $"Null pointer dereference at offset 0x{fault.Address:x}: {access}{size}{via}";
    }

    private static string Access(MemoryFault fault) => fault.Access switch
    {
        MemoryAccessKind.Read => "read of",
        MemoryAccessKind.Write => "write to",
        MemoryAccessKind.ReadWrite => "update of",
        MemoryAccessKind.Execute => "jump to",
        _ => "access to",
    };

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Via(MemoryFault fault)
    {
        if (fault.BaseRegister is null && fault.IndexRegister is null) return "";
        var parts = new List<string>();
        if (fault.BaseRegister is { } b) parts.Add($"{b} = 0x{fault.BaseValue ?? 0:x}");
        if (fault.IndexRegister is { } x) parts.Add($"{x} = 0x{fault.IndexValue ?? 0:x}");
        return $" ({string.Join(", ", parts)})";
    }

    private static string In(MemoryFault fault) =>
        fault.Region is { } r ? $" in {r.Permissions} {(r.Path.Length > 0 ? r.Path : "anonymous memory")}" : "";

    private static IReadOnlyList<string> OperandDetails(MemoryFault fault)
    {
        var lines = new List<string> { $"address 0x{fault.Address:x} ({fault.Class})", $"access: {fault.Access}{(fault.Size > 0 ? $", {fault.Size} bytes" : "")}" };
        if (fault.BaseRegister is { } b) lines.Add($"base {b} = 0x{fault.BaseValue ?? 0:x}");
        if (fault.IndexRegister is { } x) lines.Add($"index {x} = 0x{fault.IndexValue ?? 0:x} × {fault.Scale}");
        if (fault.Displacement != 0) lines.Add($"displacement {(fault.Displacement < 0 ? "-" : "")}0x{Math.Abs(fault.Displacement):x}");
        return lines;
    }

    /// <summary>Attaches the mapping that contains the fault address, when the regions are known.</summary>
    public static MemoryFault WithRegion(MemoryFault fault, IReadOnlyList<MemoryRegion> regions) =>
        fault with { Region = regions.FirstOrDefault(r => r.Contains(fault.Address)) };
}
