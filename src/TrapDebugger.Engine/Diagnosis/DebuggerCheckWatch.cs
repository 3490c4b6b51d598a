using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using TrapDebugger.Engine.Model;

namespace TrapDebugger.Engine.Diagnosis;

/// <summary>A call of <c>ptrace(PTRACE_TRACEME)</c> the program made: the usual way to ask "am I being debugged?" (it fails
/// when a tracer is already attached, so the program knows and often exits).</summary>
/// <param name="ThreadId">The thread that made the call.</param>
/// <param name="ReturnAddress">Where the call returns to (the caller's next instruction).</param>
public readonly record struct DebuggerCheck(int ThreadId, ulong ReturnAddress);

/// <summary>Watches for the program asking whether it is being debugged, so an exit right after can say why.</summary>
/// <remarks>The check is seen at the entry of the C library's ptrace() and syscall() wrappers, through breakpoints whose
/// decision records a PTRACE_TRACEME request and never stops: no cost unless the program calls them, instead of tracing
/// every system call. A program that issues the syscall instruction itself is not seen.</remarks>
internal sealed class DebuggerCheckWatch(ITarget target, Target modules)
{
    private const ulong PtraceTraceMe = 0;  // PTRACE_TRACEME
    private const ulong SysPtrace = 101;    // __NR_ptrace on x86-64

    private readonly ConcurrentQueue<DebuggerCheck> _checks = new();

    /// <summary>The program's calls of <c>ptrace(PTRACE_TRACEME)</c> so far, oldest first.</summary>
    public IReadOnlyList<DebuggerCheck> Checks => [.. _checks];

    /// <summary>Watches the ptrace() and syscall() that <paramref name="module"/> defines, if any.</summary>
    public void Watch(Module module)
    {
        if (module.IsMemoryImage) return;
        var probes = new List<(ulong Address, bool ThroughSyscall)>();
        try
        {
            // Only the dynamic symbol table, read from the file: the module's debug information is loaded in the
            // background and must not be waited for on the path that starts the program.
            using var file = target.OpenFile(module.Path);
            if (file is null) return;
            using var elf = ModuleFiles.OpenElf(file);
            foreach (var s in elf.Symbols.Dynamic)
            {
                if (s.Type == Elf.ElfSymbolType.Function && !s.IsUndefined && s.Value != 0 && s.Binding != Elf.ElfSymbolBinding.Local
                    && s.Name is "ptrace" or "syscall")
                    probes.Add((module.ToRuntimeAddress(s.Value), s.Name == "syscall"));
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or TargetException)
        {
            return;
        }
        foreach (var (address, throughSyscall) in probes)
        {
            try
            {
                // Runs on the event path while the process may be running; inserting through /proc/pid/mem is safe then.
                target.InsertBreakpointAsync(address, hit => Record(hit, throughSyscall)).GetAwaiter().GetResult();
            }
            catch (TargetException)
            {
                // The process ended meanwhile, the page cannot be written, or the target cannot run: the check goes unseen.
            }
        }
    }

    private bool Record(BreakpointHit hit, bool throughSyscall)
    {
        var r = hit.Registers;
        // ptrace(request, …) has the request in rdi; syscall(number, request, …) has the number in rdi, the request in rsi.
        if (throughSyscall ? r.Rdi != SysPtrace || r.Rsi != PtraceTraceMe : r.Rdi != PtraceTraceMe)
            return false;
        Span<byte> returnAddress = stackalloc byte[8];
        ulong caller = hit.Memory.Read(r.Rsp, returnAddress) == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(returnAddress) : 0;
        _checks.Enqueue(new DebuggerCheck(hit.ThreadId, caller));
        return false;
    }

    /// <summary>One sentence saying the program checked for a debugger and where, or null when it did not.</summary>
    public string? Describe()
    {
        if (!_checks.TryPeek(out var check))
            return null;
        string where = "";
        try
        {
            if (check.ReturnAddress != 0 && modules.ModuleAt(check.ReturnAddress - 1) is { } module)
            {
                string function = module.SymbolAt(check.ReturnAddress - 1)?.Name is { Length: > 0 } f ? Elf.Demangling.Demangler.TryDemangle(f) ?? f : module.Name;
                var line = module.Symbols?.Lookup(module.ToFileAddress(check.ReturnAddress - 1)).Line;
                string at = line is { File: { } file, Line: > 0 } ? $" at {Path.GetFileName(file)}:{line.Line.ToString(CultureInfo.InvariantCulture)}" : "";
                where = $" from {function}{at}";
            }
        }
        catch (InvalidDataException)
        {
            // Corrupt debug information only costs the caller's name.
        }
        return $"it checked for a debugger: ptrace(PTRACE_TRACEME){where} fails under a debugger, and a program that calls it often behaves differently or exits when it does";
    }
}
