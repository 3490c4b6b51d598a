using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>Thread-local variables of the program (static TLS) and of a shared library (through the thread's DTV): each
/// thread shows its own values, the same as <c>lldb-22 -b</c> shows at the same stops.</summary>
public sealed class ThreadLocalVariableTests
{
    private const string MainSource = """
        #include <pthread.h>
        #include <stdio.h>
        __thread int tls_counter = 5;
        static __thread long tls_static;
        __thread char tls_name[8] = "main";
        void lib_set(int v);
        static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
        void checkpoint(int id) {
          printf("thread %d %d %ld %s\n", id, tls_counter, tls_static, tls_name);
        }
        static void *worker(void *arg) {
          int id = (int)(long)arg;
          tls_counter = id * 111;
          tls_static = id * -7;
          tls_name[0] = (char)('a' + id);
          lib_set(id * 1000 + 1);
          pthread_mutex_lock(&gate);
          checkpoint(id);
          pthread_mutex_unlock(&gate);
          return 0;
        }
        int main(void) {
          pthread_t t[2];
          for (long i = 0; i < 2; i++) pthread_create(&t[i], 0, worker, (void *)(i + 1));
          for (int i = 0; i < 2; i++) pthread_join(t[i], 0);
          checkpoint(0);
          return 0;
        }
        """;

    private const string LibrarySource = """
        __thread int lib_tls = 100;
        __thread long lib_tls_zero;
        void lib_set(int v) { lib_tls = v; lib_tls_zero = -v; }
        """;

    private static readonly string[] Expressions = ["tls_counter", "tls_static", "tls_name", "lib_tls", "lib_tls_zero", "tls_counter + lib_tls"];

    public static TheoryData<string> Variants() => new() { "clang22-O0", "gcc-O0", "clang22-O2" };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task EachThreadShowsItsOwnThreadLocalsAsLldbDoes(string variant)
    {
        var buildVariant = LldbAgreementTests.Variant(variant);
        var library = Fixtures.CompileSource(LibrarySource, "libtlsvars.c", buildVariant, "-shared", "-fPIC");
        var program = Fixtures.CompileSource(MainSource, "tlsvars.c", buildVariant, library, "-lpthread");

        const int stops = 3;
        var commands = new List<string>();
        for (int s = 0; s < stops; s++)
        {
            commands.Add("p id");
            commands.AddRange(Expressions.Select(e => "p " + e));
            if (s + 1 < stops) commands.Add("c");
        }
        var lldb = LldbSession.Run(program, "breakpoint set -n checkpoint", commands);
        // id → expression → what lldb printed at the stop of that id.
        var reference = new Dictionary<string, Dictionary<string, string?>>();
        Dictionary<string, string?>? current = null;
        foreach (var (command, lines) in lldb)
        {
            if (command == "p id") reference[LldbSession.PrintedValue(lines) ?? "?"] = current = [];
            else if (command.StartsWith("p ", StringComparison.Ordinal) && current is not null) current[command[2..]] = LldbSession.PrintedValue(lines);
        }
        Assert.Equal(["0", "1", "2"], reference.Keys.Order());

        await using var run = await RecordedProcess.LaunchAsync(program);
        var set = await run.Process.SetFunctionBreakpointsAsync([new FunctionBreakpointSpec("checkpoint")]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var problems = new List<string>();
        var seen = new Dictionary<string, string>();
        for (int s = 0; s < stops; s++)
        {
            var stop = await run.ContinueToStopAsync();
            var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
            var id = (await run.Process.EvaluateAsync("id", frames[0].Id)).Value;
            Assert.True(reference.TryGetValue(id, out var want), $"lldb never stopped with id = {id}");
            foreach (var e in Expressions)
            {
                var got = (await run.Process.EvaluateAsync(e, frames[0].Id)).Value;
                if (got != want[e]) problems.Add($"id {id}: {e} = '{got}' != lldb '{want[e]}'");
                if (e == "tls_counter + lib_tls") seen[id] = got;
            }
        }
        Assert.True(problems.Count == 0, $"{problems.Count} disagreements with lldb:\n" + string.Join('\n', problems));
        // Both ways of finding l_tls_modid in glibc's struct link_map give the same offset (the C library's debug files are installed).
        var (descriptor, debugInfo) = Variables.ThreadLocalStorage.LinkMapModuleIdOffsets(run.Process.Memory, run.Process.Target.Modules);
        Assert.NotNull(descriptor);
        Assert.Equal(descriptor, debugInfo);
        // Three threads, three different sets of values.
        Assert.Equal(3, seen.Values.Distinct().Count());
    }
    /// <summary>A statically linked program has no dynamic loader: its block is found from fs_base and PT_TLS alone. lldb-22
    /// cannot show these ("no TLS data currently exists for this thread"), so gdb is the reference here.</summary>
    [Fact]
    public async Task StaticExecutableThreadLocalsAgreeWithGdb()
    {
        var program = Fixtures.CompileSource(MainSource.Replace("void lib_set(int v);", "static void lib_set(int v) { (void)v; }", StringComparison.Ordinal),
            "statictls.c", BuildVariant.Clang22O0, "-static", "-lpthread");
        string[] expressions = ["tls_counter", "tls_static", "tls_name[0]"];
        var args = new List<string> { "-batch", "-nx", "-ex", "break checkpoint", "-ex", "run" };
        for (int s = 0; s < 3; s++)
        {
            if (s > 0) args.AddRange(["-ex", "continue"]);
            args.AddRange(["-ex", "print id"]);
            foreach (var e in expressions) args.AddRange(["-ex", "print " + e]);
        }
        args.Add(program);
        var gdb = Toolchain.Run(Toolchain.Find("gdb"), args, timeout: TimeSpan.FromMinutes(2)).Stdout
            .Split('\n').Where(l => l.StartsWith('$')).Select(l => l[(l.IndexOf(" = ", StringComparison.Ordinal) + 3)..].Trim()).ToList();
        Assert.Equal(3 * (1 + expressions.Length), gdb.Count);
        var reference = new Dictionary<string, List<string>>();
        for (int s = 0; s < 3; s++) reference[gdb[s * (1 + expressions.Length)]] = gdb.Skip(s * (1 + expressions.Length) + 1).Take(expressions.Length).ToList();

        await using var run = await RecordedProcess.LaunchAsync(program);
        var set = await run.Process.SetFunctionBreakpointsAsync([new FunctionBreakpointSpec("checkpoint")]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var problems = new List<string>();
        for (int s = 0; s < 3; s++)
        {
            var stop = await run.ContinueToStopAsync();
            var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
            var id = (await run.Process.EvaluateAsync("id", frames[0].Id)).Value;
            Assert.True(reference.TryGetValue(id, out var want), $"gdb never stopped with id = {id}");
            for (int i = 0; i < expressions.Length; i++)
            {
                var got = (await run.Process.EvaluateAsync(expressions[i], frames[0].Id)).Value;
                // gdb prints a char as "98 'b'", the engine as lldb does: "'b'".
                var expected = want[i].Contains(' ', StringComparison.Ordinal) && want[i].EndsWith('\'') ? want[i][(want[i].IndexOf(' ') + 1)..] : want[i];
                if (got != expected) problems.Add($"id {id}: {expressions[i]} = '{got}' != gdb '{want[i]}'");
            }
        }
        Assert.True(problems.Count == 0, $"{problems.Count} disagreements with gdb:\n" + string.Join('\n', problems));
    }
    private const string DlopenSource = """
        #include <dlfcn.h>
        #include <pthread.h>
        #include <stdio.h>
        static void checkpoint(int id) { printf("checkpoint %d\n", id); }
        static void *worker(void *arg) { (void)arg; checkpoint(1); return 0; }
        int main(int argc, char **argv) {
          void *h = dlopen(argv[1], RTLD_NOW);
          if (!h) { fprintf(stderr, "%s\n", dlerror()); return 1; }
          void (*set)(int) = (void (*)(int))dlsym(h, "lib_set");
          set(4242);
          pthread_t t;
          pthread_create(&t, 0, worker, 0);
          pthread_join(t, 0);
          checkpoint(0);
          return 0;
        }
        """;

    /// <summary>A library loaded with dlopen gets its block in a thread only when that thread first uses it: the thread that
    /// did shows the values lldb shows, a thread that did not gets one sentence saying so (lldb: "no TLS data currently exists").</summary>
    [Fact]
    public async Task DlopenedLibraryThreadLocalsAreShownWhereAllocatedAndExplainedWhereNot()
    {
        var library = Fixtures.CompileSource(LibrarySource, "libtlsvars.c", BuildVariant.Clang22O0, "-shared", "-fPIC");
        var program = Fixtures.CompileSource(DlopenSource, "dlopentls.c", BuildVariant.Clang22O0, "-ldl", "-lpthread");
        var lldb = LldbSession.Run(program, "breakpoint set -n checkpoint -c 'id == 0'", ["p lib_tls", "p lib_tls_zero"], library);
        var printed = lldb.Where(s => s.Command.StartsWith("p ", StringComparison.Ordinal)).ToDictionary(s => s.Command[2..], s => LldbSession.PrintedValue(s.Lines));
        Assert.Equal("4242", printed["lib_tls"]);

        await using var run = await RecordedProcess.LaunchAsync(program, library);
        var set = await run.Process.SetFunctionBreakpointsAsync([new FunctionBreakpointSpec("checkpoint")]);
        Assert.True(set[0].IsVerified, set[0].Message);
        for (int s = 0; s < 2; s++)
        {
            var stop = await run.ContinueToStopAsync();
            var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
            var id = (await run.Process.EvaluateAsync("id", frames[0].Id)).Value;
            var value = (await run.Process.EvaluateAsync("lib_tls", frames[0].Id)).Value;
            var other = (await run.Process.EvaluateAsync("lib_tls_zero", frames[0].Id)).Value;
            if (id == "0")
            {
                Assert.Equal(printed["lib_tls"], value);
                Assert.Equal(printed["lib_tls_zero"], other);
            }
            else
            {
                Assert.Equal("<the thread-local block of libtlsvars is not allocated in this thread yet (the thread has not used it)>", value);
            }
        }
    }
    private const string StaleSlotSource = """
        #include <dlfcn.h>
        #include <pthread.h>
        #include <stdio.h>
        static pthread_barrier_t ready, swapped;
        static void (*a_set)(long);
        static void checkpoint(int id) { printf("checkpoint %d\n", id); }
        static void *worker(void *arg) {
          (void)arg;
          a_set(111);
          pthread_barrier_wait(&ready);
          pthread_barrier_wait(&swapped);
          checkpoint(1);
          return 0;
        }
        int main(int argc, char **argv) {
          pthread_barrier_init(&ready, 0, 2);
          pthread_barrier_init(&swapped, 0, 2);
          void *a = dlopen(argv[1], RTLD_NOW);
          a_set = (void (*)(long))dlsym(a, "a_set");
          pthread_t t;
          pthread_create(&t, 0, worker, 0);
          pthread_barrier_wait(&ready);
          dlclose(a);
          void *b = dlopen(argv[2], RTLD_NOW);
          void (*b_set)(long) = (void (*)(long))dlsym(b, "b_set");
          pthread_barrier_wait(&swapped);
          pthread_join(t, 0);
          b_set(7);
          checkpoint(0);
          return 0;
        }
        """;

    /// <summary>A library unloaded and another loaded into its TLS module id: a thread that used the first and has not
    /// caught up still holds the first one's block in that slot. glibc's slotinfo generation says so, and the engine says
    /// "not allocated" as gdb (libthread_db) does, where lldb-22 shows the unloaded library's value as the new one's.</summary>
    [Fact]
    public async Task ASlotReusedAfterDlcloseIsNotReadAsTheNewLibrarys()
    {
        var first = Fixtures.CompileSource("__thread long a_tls = 1;\nvoid a_set(long v) { a_tls = v; }\n", "libtlsfirst.c", BuildVariant.Clang22O0, "-shared", "-fPIC");
        var second = Fixtures.CompileSource("__thread long b_tls = 2;\nvoid b_set(long v) { b_tls = v; }\n", "libtlssecond.c", BuildVariant.Clang22O0, "-shared", "-fPIC");
        var program = Fixtures.CompileSource(StaleSlotSource, "staletls.c", BuildVariant.Clang22O0, "-ldl", "-lpthread");
        var gdb = Toolchain.Run(Toolchain.Find("gdb"), ["-batch", "-nx", "-ex", "break checkpoint", "-ex", "run", "-ex", "print id", "-ex", "print b_tls",
            "-ex", "continue", "-ex", "print id", "-ex", "print b_tls", "--args", program, first, second], timeout: TimeSpan.FromMinutes(2));
        var output = gdb.Stdout + gdb.Stderr;
        Assert.Contains("has not yet allocated storage for thread-local variables", output);
        var printed = gdb.Stdout.Split('\n').Where(l => l.StartsWith('$')).Select(l => l[(l.IndexOf(" = ", StringComparison.Ordinal) + 3)..].Trim()).ToList();
        Assert.Equal(["1", "0", "7"], printed);

        await using var run = await RecordedProcess.LaunchAsync(program, first, second);
        var set = await run.Process.SetFunctionBreakpointsAsync([new FunctionBreakpointSpec("checkpoint")]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var stop = await run.ContinueToStopAsync();
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        Assert.Equal("1", (await run.Process.EvaluateAsync("id", frames[0].Id)).Value);
        Assert.Equal("<the thread-local block of libtlssecond is not allocated in this thread yet (the thread has not used it)>",
            (await run.Process.EvaluateAsync("b_tls", frames[0].Id)).Value);
        stop = await run.ContinueToStopAsync();
        (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        Assert.Equal("0", (await run.Process.EvaluateAsync("id", frames[0].Id)).Value);
        Assert.Equal(printed[2], (await run.Process.EvaluateAsync("b_tls", frames[0].Id)).Value);
    }
}
