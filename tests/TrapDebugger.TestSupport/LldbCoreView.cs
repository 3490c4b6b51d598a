using System.Globalization;
using System.Text.RegularExpressions;

namespace TrapDebugger.TestSupport;

/// <summary>What <c>lldb -c</c> shows of a core: thread ids and stop reasons, registers, modules with their UUIDs, backtraces.</summary>
public sealed partial class LldbCoreView
{
    /// <summary>The general registers compared with lldb, under lldb's names.</summary>
    public static readonly string[] RegisterNames =
        ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
         "rip", "rflags", "cs", "ss", "ds", "es", "fs", "gs", "fs_base", "gs_base"];

    /// <summary>Thread ids in lldb's order, with the stop reason lldb gives each and the whole "thread list" line.</summary>
    public List<(int ThreadId, string StopReason, string Line)> Threads { get; } = [];

    /// <summary>Registers per thread id.</summary>
    public Dictionary<int, Dictionary<string, ulong>> Registers { get; } = [];

    /// <summary>Function names of each thread's backtrace, innermost first (module`function).</summary>
    public Dictionary<int, List<string>> Backtraces { get; } = [];

    /// <summary>Each thread's frames, innermost first: the pc lldb shows, module`function, whether lldb marks it "[inlined]"
    /// (it does for some inlined calls only) and whether it marks it "[artificial]": a tail call's frame lldb rebuilds
    /// from DWARF call-site information, which is not on the stack.</summary>
    public Dictionary<int, List<(ulong Pc, string Function, bool Inlined, bool TailCall)>> Frames { get; } = [];

    /// <summary>Modules lldb loaded: load address, path and UUID (the build-id in lower-case hex).</summary>
    public List<(ulong Address, string Path, string Uuid)> Modules { get; } = [];

    /// <summary>Everything lldb printed, for test output.</summary>
    public string Output { get; private set; } = "";

    /// <summary>Runs lldb-22 on <paramref name="core"/> with <paramref name="program"/> and parses what it prints.</summary>
    /// <param name="threadCount">How many threads to read registers of (lldb selects them by index).</param>
    public static LldbCoreView Load(string program, string core, int threadCount)
    {
        // lldb prints the frame a "thread select" lands on asynchronously, so it can end up inside a later command's
        // output: the backtraces come from a run of their own, the registers from a second one.
        var overview = Toolchain.Run(Toolchain.Lldb,
            ["-b", "-x", "-c", core, program, "-o", "settings set use-color false", "-o", "thread list", "-o", "image list", "-o", "bt all"],
            timeout: TimeSpan.FromMinutes(3));
        var args = new List<string> { "-b", "-x", "-c", core, program, "-o", "settings set use-color false" };
        for (int i = 1; i <= threadCount; i++)
            args.AddRange(["-o", $"thread select {i}", "-o", $"register read {string.Join(' ', RegisterNames)}"]);
        var registers = Toolchain.Run(Toolchain.Lldb, args, timeout: TimeSpan.FromMinutes(3));
        var view = new LldbCoreView { Output = overview.Stdout + overview.Stderr + registers.Stdout + registers.Stderr };
        view.Parse(overview.Stdout + registers.Stdout);
        return view;
    }

    private void Parse(string stdout)
    {
        string command = "";
        int selected = 0, btThread = 0;
        foreach (var raw in stdout.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("(lldb) ", StringComparison.Ordinal))
            {
                command = line[7..];
                if (command.StartsWith("thread select ", StringComparison.Ordinal))
                    selected = int.Parse(command[14..], CultureInfo.InvariantCulture);
                continue;
            }
            if (command == "thread list" && ThreadLine().Match(line) is { Success: true } t)
                Threads.Add((int.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture), t.Groups[2].Value, line));
            else if (command == "image list" && ModuleLine().Match(line) is { Success: true } m)
                Modules.Add((Hex(m.Groups[2].Value), m.Groups[3].Value, m.Groups[1].Value.Replace("-", "").ToLowerInvariant()));
            else if (command.StartsWith("register read", StringComparison.Ordinal) && RegisterLine().Match(line) is { Success: true } reg && selected > 0 && selected <= Threads.Count)
            {
                int tid = Threads[selected - 1].ThreadId;
                (Registers.TryGetValue(tid, out var regs) ? regs : Registers[tid] = [])[reg.Groups[1].Value] = Hex(reg.Groups[2].Value);
            }
            else if (command == "bt all")
            {
                if (BtThreadLine().Match(line) is { Success: true } bt && int.TryParse(bt.Groups[1].Value, out int index) && index <= Threads.Count)
                    btThread = Threads[index - 1].ThreadId;
                else if (btThread != 0 && FrameLine().Match(line) is { Success: true } f)
                {
                    (Backtraces.TryGetValue(btThread, out var frames) ? frames : Backtraces[btThread] = []).Add(f.Groups[3].Value);
                    (Frames.TryGetValue(btThread, out var pcs) ? pcs : Frames[btThread] = []).Add((Hex(f.Groups[2].Value), f.Groups[3].Value, line.EndsWith("[inlined]", StringComparison.Ordinal),
                        line.EndsWith("[artificial]", StringComparison.Ordinal)));
                }
            }
        }
    }

    private static ulong Hex(string text) => ulong.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^[* ] thread #\d+: tid = (\d+),(?:.*stop reason = (.*))?")]
    private static partial Regex ThreadLine();

    [GeneratedRegex(@"^\[\s*\d+\] ([0-9A-F-]+) (0x[0-9a-f]+) (\S+)")]
    private static partial Regex ModuleLine();

    [GeneratedRegex(@"^\s*(\w+) = (0x[0-9a-f]+)")]
    private static partial Regex RegisterLine();

    [GeneratedRegex(@"^[* ] thread #(\d+)")]
    private static partial Regex BtThreadLine();

    // A name may hold spaces: "threads32`__clang_trap_msg$Integrity check$block checksum mismatch at threads32.c:0".
    [GeneratedRegex(@"^\s*[* ] frame #(\d+): (0x[0-9a-f]+) (.+?)(?: at | \+ |\(|$)")]
    private static partial Regex FrameLine();
}
