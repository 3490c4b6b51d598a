using System.Globalization;
using System.Text.RegularExpressions;

namespace TrapDebugger.TestSupport;

/// <summary>What <c>gdb -c</c> shows of a core: threads with registers and backtraces, NT_FILE mappings, auxv and the signal.</summary>
public sealed partial class GdbCoreView
{
    /// <summary>The general registers compared with gdb, under gdb's names.</summary>
    public static readonly string[] RegisterNames =
        ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
         "rip", "eflags", "cs", "ss", "ds", "es", "fs", "gs", "fs_base", "gs_base"];

    /// <summary>Registers per thread id (LWP), in gdb's thread order.</summary>
    public Dictionary<int, Dictionary<string, ulong>> Registers { get; } = [];

    /// <summary>XMM0-15 of each thread as 32 hex digits, most significant first.</summary>
    public Dictionary<int, List<string>> Xmm { get; } = [];

    /// <summary>The upper halves of YMM0-15 of each thread as 32 hex digits, when gdb can read the core's XSAVE area.</summary>
    public Dictionary<int, List<string>> YmmUpper { get; } = [];

    /// <summary>Function names of each thread's backtrace, innermost first.</summary>
    public Dictionary<int, List<string>> Backtraces { get; } = [];

    /// <summary>Each thread's frames as gdb's frame API walks them, innermost first: the frame's pc, its kind and the
    /// function's name.</summary>
    public Dictionary<int, List<(ulong Pc, GdbFrameKind Kind, string Function)>> Frames { get; } = [];

    /// <summary>The NT_FILE mappings as "info proc mappings" prints them.</summary>
    public List<(ulong Start, ulong End, ulong Offset, string Path)> Mappings { get; } = [];

    /// <summary>The auxiliary vector as "info auxv" prints it (type, value), without AT_NULL.</summary>
    public List<(ulong Type, ulong Value)> Auxv { get; } = [];

    /// <summary>$_siginfo.si_signo, si_code and the fault address of the selected thread.</summary>
    public (int Signal, int Code, ulong Address) SignalInfo { get; private set; }

    /// <summary>Everything gdb printed, for test output.</summary>
    public string Output { get; private set; } = "";

    /// <summary>Runs gdb on <paramref name="core"/> with <paramref name="program"/> and parses what it prints.</summary>
    public static GdbCoreView Load(string program, string core)
    {
        var args = new List<string>
        {
            "-batch", "-nx", "-iex", "set debuginfod enabled off", "-iex", "set width 0", "-iex", "set height 0", "-iex", "set backtrace past-main on",
            "-ex", "echo @@registers\\n", "-ex", $"thread apply all info registers {string.Join(' ', RegisterNames)}",
            "-ex", "echo @@xmm\\n", "-ex", $"thread apply all printf \"xmm {string.Join(' ', Enumerable.Repeat("%016llx%016llx", 16))}\\n\", " +
                string.Join(", ", Enumerable.Range(0, 16).Select(i => $"(unsigned long long)$xmm{i}.v2_int64[1], (unsigned long long)$xmm{i}.v2_int64[0]")),
            "-ex", "echo @@ymm\\n", "-ex", $"thread apply all printf \"ymm {string.Join(' ', Enumerable.Repeat("%016llx%016llx", 16))}\\n\", " +
                string.Join(", ", Enumerable.Range(0, 16).Select(i => $"(unsigned long long)$ymm{i}.v4_int64[3], (unsigned long long)$ymm{i}.v4_int64[2]")),
            "-ex", "echo @@mappings\\n", "-ex", "info proc mappings",
            "-ex", "echo @@auxv\\n", "-ex", "info auxv",
            "-ex", "echo @@siginfo\\n", "-ex", "thread 1", "-ex", "printf \"siginfo %d %d 0x%llx\\n\", $_siginfo.si_signo, $_siginfo.si_code, (unsigned long long)$_siginfo._sifields._sigfault.si_addr",
            "-ex", "echo @@bt\\n", "-ex", "thread apply all bt",
            "-ex", "echo @@frames\\n", "-x", FrameScript.Value,
            program, core,
        };
        var r = Toolchain.Run(Toolchain.Gdb, args, timeout: TimeSpan.FromMinutes(3));
        var view = new GdbCoreView { Output = r.Stdout + r.Stderr };
        view.Parse(r.Stdout);
        return view;
    }

    private void Parse(string stdout)
    {
        string section = "";
        int thread = 0;
        foreach (var raw in stdout.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("@@", StringComparison.Ordinal)) { section = line[2..]; thread = 0; continue; }
            if (ThreadHeader().Match(line) is { Success: true } t) { thread = int.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture); continue; }
            switch (section)
            {
                case "registers" when thread != 0 && RegisterLine().Match(line) is { Success: true } m:
                    (Registers.TryGetValue(thread, out var regs) ? regs : Registers[thread] = [])[m.Groups[1].Value] = Hex(m.Groups[2].Value);
                    break;
                case "xmm" when thread != 0 && line.StartsWith("xmm ", StringComparison.Ordinal):
                    Xmm[thread] = [.. line[4..].Split(' ')];
                    break;
                case "ymm" when thread != 0 && line.StartsWith("ymm ", StringComparison.Ordinal):
                    YmmUpper[thread] = [.. line[4..].Split(' ')];
                    break;
                case "mappings" when MappingLine().Match(line) is { Success: true } m:
                    Mappings.Add((Hex(m.Groups[1].Value), Hex(m.Groups[2].Value), Hex(m.Groups[4].Value), m.Groups[5].Value));
                    break;
                case "auxv" when AuxvLine().Match(line) is { Success: true } m:
                    ulong type = ulong.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                    if (type != 0)
                        Auxv.Add((type, m.Groups[2].Value.StartsWith("0x", StringComparison.Ordinal) ? Hex(m.Groups[2].Value) : ulong.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
                    break;
                case "siginfo" when line.StartsWith("siginfo ", StringComparison.Ordinal):
                    var parts = line.Split(' ');
                    SignalInfo = (int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), Hex(parts[3]));
                    break;
                case "bt" when thread != 0 && FrameLine().Match(line) is { Success: true } m:
                    (Backtraces.TryGetValue(thread, out var frames) ? frames : Backtraces[thread] = []).Add(m.Groups[2].Value);
                    break;
                case "frames" when line.StartsWith("@thread ", StringComparison.Ordinal):
                    thread = int.Parse(line[8..], CultureInfo.InvariantCulture);
                    Frames[thread] = [];
                    break;
                case "frames" when thread != 0 && line.StartsWith("@frame ", StringComparison.Ordinal):
                    var fields = line[7..].Split(' ', 3);
                    Frames[thread].Add((Hex(fields[0]), (GdbFrameKind)int.Parse(fields[1], CultureInfo.InvariantCulture), fields[2]));
                    break;
            }
        }
    }

    // gdb's frame API tells inlined frames and the tail-call frames gdb rebuilds from DWARF call-site information apart
    // from frames on the stack, which "bt" does not.
    private static readonly Lazy<string> FrameScript = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"trapdbg-gdb-frames-{Environment.ProcessId}.py");
        File.WriteAllText(path, """
            import gdb
            for t in sorted(gdb.selected_inferior().threads(), key=lambda t: t.num):
                t.switch()
                print("@thread %d" % t.ptid[1])
                f = gdb.newest_frame()
                while f is not None:
                    print("@frame 0x%x %d %s" % (f.pc(), f.type(), f.name() or "??"))
                    f = f.older()
            """);
        return path;
    });

    private static ulong Hex(string text) => ulong.Parse(text.StartsWith("0x", StringComparison.Ordinal) ? text[2..] : text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Thread \d+ \(.*?LWP (\d+)\)")]
    private static partial Regex ThreadHeader();

    [GeneratedRegex(@"^(\w+)\s+(0x[0-9a-f]+)")]
    private static partial Regex RegisterLine();

    [GeneratedRegex(@"^\s*(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S.*)$")]
    private static partial Regex MappingLine();

    [GeneratedRegex(@"^(\d+)\s+\S+\s.*?\s(0x[0-9a-f]+|\d+)(\s+"".*"")?$")]
    private static partial Regex AuxvLine();

    // "#0  main () at t.c:1" or "#1  0x00007f... in __libc_start_call_main (...) at ..."
    // A name may hold spaces: "__clang_trap_msg$Integrity check$block checksum mismatch ()".
    [GeneratedRegex(@"^#\d+\s+(?:(0x[0-9a-f]+) in )?(.+?) \(")]
    private static partial Regex FrameLine();
}

/// <summary>The kinds of frame gdb's Python API reports (gdb.NORMAL_FRAME, …).</summary>
public enum GdbFrameKind
{
    /// <summary>A frame on the stack.</summary>
    Normal = 0,
    /// <summary>A dummy frame of an inferior call.</summary>
    Dummy = 1,
    /// <summary>An inlined call, sharing the pc of the frame that follows it.</summary>
    Inline = 2,
    /// <summary>A frame gdb rebuilds from DWARF call-site information for a tail call; it is not on the stack.</summary>
    TailCall = 3,
    /// <summary>A signal handler's caller (the kernel's signal frame).</summary>
    Signal = 4,
    /// <summary>Another architecture's frame.</summary>
    Arch = 5,
    /// <summary>A sentinel frame.</summary>
    Sentinel = 6,
}
