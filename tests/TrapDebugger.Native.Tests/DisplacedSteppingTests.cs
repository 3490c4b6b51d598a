using TrapDebugger.Native.Proc;

namespace TrapDebugger.Native.Tests;

/// <summary>Passing a breakpoint without taking it out: the instruction under it runs out of line (or, for a call, is done
/// by the tracer), and leaves the thread exactly as running it in place does, while no other thread is stopped.</summary>
public class DisplacedSteppingTests
{
    /// <summary>Functions whose instructions each exercise what a copy in another place must get right: a RIP-relative
    /// load, a direct call, a call through a RIP-relative pointer, a taken conditional jump, a jump, an indirect jump
    /// through a RIP-relative slot and a system call (getpid). Each labelled instruction runs once, in that order.</summary>
    private const string ProbesSource = """
        #include <stdio.h>
        long value = 0x1122334455667788;
        long callee_hits;
        long callee(long x) { callee_hits++; return x * 2 + 1; }
        long pointed_callee(long x) { callee_hits++; return x * 3; }
        long (*callee_pointer)(long) = pointed_callee;
        long probe_load(void);
        long probe_call(long);
        long probe_call_pointer(long);
        long probe_jump(long);
        long probe_indirect(void);
        long probe_syscall(void);
        __asm__(
            ".text\n"
            ".globl probe_load\n.type probe_load,@function\nprobe_load:\n"
            ".globl load_insn\nload_insn:\n  movq value(%rip), %rax\n  ret\n"
            ".globl probe_call\n.type probe_call,@function\nprobe_call:\n  subq $8, %rsp\n"
            ".globl call_insn\ncall_insn:\n  call callee\n  addq $8, %rsp\n  ret\n"
            ".globl probe_call_pointer\n.type probe_call_pointer,@function\nprobe_call_pointer:\n  subq $8, %rsp\n"
            ".globl call_pointer_insn\ncall_pointer_insn:\n  call *callee_pointer(%rip)\n  addq $8, %rsp\n  ret\n"
            ".globl probe_jump\n.type probe_jump,@function\nprobe_jump:\n  testq %rdi, %rdi\n"
            ".globl jcc_insn\njcc_insn:\n  jne 1f\n  movl $2, %eax\n"
            ".globl jmp_insn\njmp_insn:\n  jmp 3f\n1:\n  movl $1, %eax\n  ret\n3:\n  ret\n"
            ".globl probe_indirect\n.type probe_indirect,@function\nprobe_indirect:\n"
            ".globl indirect_insn\nindirect_insn:\n  jmp *jump_target(%rip)\n  ud2\n"
            ".globl indirect_landing\nindirect_landing:\n  movl $7, %eax\n  ret\n"
            ".globl probe_syscall\n.type probe_syscall,@function\nprobe_syscall:\n  movl $39, %eax\n"
            ".globl syscall_insn\nsyscall_insn:\n  syscall\n  ret\n"
            ".data\n.globl jump_target\njump_target:\n  .quad indirect_landing\n"
            ".text\n");
        int main(void) {
            long load = probe_load();
            long call = probe_call(20);
            long pointer = probe_call_pointer(30);
            long taken = probe_jump(1);
            long fallen = probe_jump(0);
            long indirect = probe_indirect();
            long pid = probe_syscall();
            printf("load=%lx call=%ld pointer=%ld taken=%ld fallen=%ld indirect=%ld pid=%ld hits=%ld\n",
                   load, call, pointer, taken, fallen, indirect, pid, callee_hits);
            return 0;
        }
        """;

    /// <summary>Many threads spinning in user space (no system calls, named "spinner") and two that call passed() in a
    /// loop, until the given number of seconds has passed.</summary>
    private const string SpinnersSource = """
        #define _GNU_SOURCE
        #include <pthread.h>
        #include <stdlib.h>
        #include <unistd.h>
        #define SPINNERS 32
        volatile unsigned long spins[SPINNERS];
        volatile unsigned long passes;
        __attribute__((noinline)) void passed(void) { passes++; __asm__ volatile("" ::: "memory"); }
        static void *spinner(void *arg) {
            pthread_setname_np(pthread_self(), "spinner");
            long i = (long)arg;
            for (;;) spins[i]++;
            return 0;
        }
        static void *hitter(void *arg) { (void)arg; for (;;) passed(); return 0; }
        int main(int argc, char **argv) {
            pthread_t t;
            for (long i = 0; i < SPINNERS; i++) pthread_create(&t, 0, spinner, (void *)i);
            for (int i = 0; i < 2; i++) pthread_create(&t, 0, hitter, 0);
            sleep(argc > 1 ? atoi(argv[1]) : 60);
            return 0;
        }
        """;

    [Theory]
    [InlineData("load_insn")]
    [InlineData("call_insn")]
    [InlineData("call_pointer_insn")]
    [InlineData("jcc_insn")]
    [InlineData("jmp_insn")]
    [InlineData("indirect_insn")]
    [InlineData("syscall_insn")]
    public async Task An_instruction_run_out_of_line_leaves_the_thread_as_running_it_in_place_does(string label)
    {
        var program = Programs.Build(ProbesSource, "displaced_probes");

        // In place: the hit is reported and the thread single-stepped; the breakpoint bytes are out of memory while the
        // process is stopped, so the step runs the instruction where it is.
        GeneralRegisters inPlace;
        byte[] inPlaceStack;
        int inPlacePid;
        await using (var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, StandardOutput = StdioMode.Pipe }))
        {
            await Tracee.NextStop(p);
            var at = Symbols.RuntimeAddress(p.Pid, program, label);
            await p.InsertBreakpointAsync(at);
            await p.ContinueAsync();
            var hit = await Tracee.NextStop(p);
            Assert.Equal((StopReason.Breakpoint, at), (hit.Reason, hit.Address));
            await p.StepInstructionAsync(hit.ThreadId);
            var step = await Tracee.NextStop(p);
            Assert.Equal(StopReason.Step, step.Reason);
            inPlace = await p.GetRegistersAsync(hit.ThreadId);
            inPlaceStack = ReadStackTop(p, inPlace.Rsp);
            inPlacePid = p.Pid;
            // A step the client asks for is not a pass over a breakpoint.
            Assert.Equal((0L, 0L), p.BreakpointPasses);
            await p.KillAsync();
        }

        // Out of line: a decision that never reports lets the thread pass; it stops where the in-place step ended.
        await using (var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, StandardOutput = StdioMode.Pipe }))
        {
            await Tracee.NextStop(p);
            var at = Symbols.RuntimeAddress(p.Pid, program, label);
            var decided = 0;
            await p.InsertBreakpointAsync(at, _ =>
            {
                decided++;
                return false;
            });
            await p.InsertBreakpointAsync(inPlace.Rip);
            await p.ContinueAsync();
            var arrival = await Tracee.NextStop(p);
            Assert.Equal((StopReason.Breakpoint, inPlace.Rip), (arrival.Reason, arrival.Address));
            Assert.Equal(1, decided);
            var outOfLine = await p.GetRegistersAsync(arrival.ThreadId);
            Assert.Equal(inPlaceStack, ReadStackTop(p, outOfLine.Rsp));
            var (passedOutOfLine, passedInPlace) = p.BreakpointPasses;
            Assert.True(passedOutOfLine >= 1, "the instruction did not run out of line");
            Assert.Equal(0, passedInPlace);

            if (label == "syscall_insn")
            {
                // getpid answers each run with its own process id; r11 holds the flags, with the trap flag of the in-place
                // single step.
                Assert.Equal((ulong)inPlacePid, inPlace.Rax);
                Assert.Equal((ulong)p.Pid, outOfLine.Rax);
                inPlace.Rax = outOfLine.Rax;
                inPlace.R11 &= ~TrapAndResumeFlags;
                outOfLine.R11 &= ~TrapAndResumeFlags;
            }
            // orig_rax is the kernel's record of the last system call, not the thread's state.
            inPlace.OrigRax = outOfLine.OrigRax;
            inPlace.Eflags &= ~TrapAndResumeFlags;
            outOfLine.Eflags &= ~TrapAndResumeFlags;
            Assert.Equal(inPlace, outOfLine);
            await p.KillAsync();
        }
    }

    [Fact]
    public async Task A_program_whose_every_probe_is_passed_out_of_line_prints_what_it_prints_without_a_debugger()
    {
        var program = Programs.Build(ProbesSource, "displaced_probes");
        var alone = TestSupport.Toolchain.Run(program, []);
        Assert.Equal(0, alone.ExitCode);
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, StandardOutput = StdioMode.Pipe });
        await Tracee.NextStop(p);
        var labels = new[] { "load_insn", "call_insn", "call_pointer_insn", "jcc_insn", "jmp_insn", "indirect_insn", "syscall_insn", "callee", "pointed_callee" };
        var hits = 0;
        foreach (var label in labels)
            await p.InsertBreakpointAsync(Symbols.RuntimeAddress(p.Pid, program, label), _ => ++hits < 0);
        var output = Task.Run(() => new StreamReader(p.StandardOutput!).ReadToEnd());
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(0), await Tracee.End(p));
        // The conditional jump runs twice (taken, then not).
        Assert.Equal(10, hits);
        static string WithoutPid(string text) => System.Text.RegularExpressions.Regex.Replace(text, "pid=[0-9]+", "pid=?");
        Assert.Equal(WithoutPid(alone.Stdout), WithoutPid(await output));
        Assert.Contains("hits=2", alone.Stdout);
        Assert.Equal(0, p.BreakpointPasses.InPlace);
    }

    [Fact]
    public async Task Threads_keep_running_while_others_pass_a_breakpoint_thousands_of_times()
    {
        var program = Programs.Build(SpinnersSource, "spinners");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["60"] });
        await Tracee.NextStop(p);
        var passedAt = Symbols.RuntimeAddress(p.Pid, program, "passed");
        var decisions = 0;
        await p.InsertBreakpointAsync(passedAt, _ =>
        {
            Interlocked.Increment(ref decisions);
            return false;
        });
        await p.ContinueAsync();
        // The first pass maps the scratch page, which needs everyone stopped once; measure after it.
        await WaitUntil(() => Volatile.Read(ref decisions) >= 20 && Spinners(p).Count == 32);
        var spinners = Spinners(p);
        var before = spinners.ToDictionary(t => t, t => VoluntarySwitches(p.Pid, t));
        var spinsBefore = ReadSpins(p, program);
        var decidedBefore = Volatile.Read(ref decisions);
        await WaitUntil(() => Volatile.Read(ref decisions) >= decidedBefore + 2000);
        var after = spinners.ToDictionary(t => t, t => VoluntarySwitches(p.Pid, t));
        var spinsAfter = ReadSpins(p, program);
        // A thread stopped by the tracer gives up the processor (a voluntary switch): a spinner that never makes a system
        // call was never stopped if it has none.
        foreach (var t in spinners) Assert.True(after[t] - before[t] < 20, $"spinner {t} was stopped {after[t] - before[t]} times");
        Assert.All(Enumerable.Range(0, 32), i => Assert.True(spinsAfter[i] > spinsBefore[i], $"spinner {i} made no progress"));
        Assert.True(p.BreakpointPasses.OutOfLine >= 2000);
        await p.KillAsync();
    }

    private const ulong TrapAndResumeFlags = 0x100 | 0x10000;

    private static byte[] ReadStackTop(TraceeProcess p, ulong rsp)
    {
        var bytes = new byte[8];
        Assert.Equal(8, p.Read(rsp, bytes));
        return bytes;
    }

    private static List<int> Spinners(TraceeProcess p) =>
        p.ThreadIds.Where(t => ProcFs.ThreadComm(p.Pid, t) == "spinner").ToList();

    private static long VoluntarySwitches(int pid, int tid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/task/{tid}/status"))
            if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)) return long.Parse(line.Split(':')[1].Trim());
        throw new InvalidOperationException($"no voluntary_ctxt_switches for thread {tid}");
    }

    private static ulong[] ReadSpins(TraceeProcess p, string program)
    {
        var bytes = new byte[32 * 8];
        Assert.Equal(bytes.Length, p.Read(Symbols.RuntimeAddress(p.Pid, program, "spins"), bytes));
        return Enumerable.Range(0, 32).Select(i => BitConverter.ToUInt64(bytes, i * 8)).ToArray();
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Tracee.Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the program did not get there in time");
            await Task.Delay(10);
        }
    }
}
