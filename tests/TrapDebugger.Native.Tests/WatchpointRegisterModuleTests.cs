
namespace TrapDebugger.Native.Tests;

/// <summary>Hardware watchpoints, register writes, FP registers and module tracking through r_debug.</summary>
public class WatchpointRegisterModuleTests
{
    [Fact]
    public async Task A_write_watchpoint_names_the_writing_thread_and_the_address_and_new_threads_inherit_it()
    {
        var program = Programs.Build(Programs.WatchSource, "watch");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program });
        await Tracee.NextStop(p);
        var watched = Symbols.RuntimeAddress(p.Pid, program, "watched_value");
        // Set before the writer thread exists: it gets the debug registers at its creation.
        var slot = await p.SetWatchpointAsync(watched, 8, WatchKind.Write);
        var created = new List<TargetEvent>();
        await p.ContinueAsync();
        var stop = await Tracee.NextStop(p, created);
        Assert.Equal(StopReason.Watchpoint, stop.Reason);
        Assert.Equal(new WatchpointHit(slot.Index, watched, WatchKind.Write), stop.Watchpoint);
        Assert.Equal(watched, stop.Address);
        var writer = Assert.Single(created.OfType<ThreadCreated>());
        Assert.Equal(writer.ThreadId, stop.ThreadId);
        Assert.NotEqual(p.Pid, stop.ThreadId);
        // The write has happened (a data watchpoint traps after the store), and DR6 was cleared for the next hit.
        var value = new byte[8];
        p.Read(watched, value);
        Assert.Equal(0x1234L, BitConverter.ToInt64(value));
        var dr = await p.GetDebugRegistersAsync(stop.ThreadId);
        Assert.Equal(watched, dr[slot.Index]);
        Assert.Equal(0UL, dr[6] & 0xF);
        await p.ClearWatchpointAsync(slot.Index);
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(0x34), await Tracee.End(p));
    }

    [Theory]
    [InlineData(3, 8)]
    [InlineData(0, 3)]
    public async Task Misaligned_or_odd_sized_watchpoints_are_refused(ulong offset, int size)
    {
        var program = Programs.Build(Programs.WatchSource, "watch");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program });
        await Tracee.NextStop(p);
        var watched = Symbols.RuntimeAddress(p.Pid, program, "watched_value");
        await Assert.ThrowsAsync<ArgumentException>(() => p.SetWatchpointAsync(watched + offset, size, WatchKind.ReadWrite));
    }

    [Fact]
    public async Task A_hardware_execute_breakpoint_fires_at_the_instruction_and_resumes_past_it()
    {
        var program = Programs.Build(Programs.HotLoopSource, "hotloop");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["3"] });
        await Tracee.NextStop(p);
        var f = Symbols.RuntimeAddress(p.Pid, program, "f");
        var slot = await p.SetWatchpointAsync(f, 1, WatchKind.Execute);
        for (var i = 0; i < 3; i++)
        {
            await p.ContinueAsync();
            var stop = await Tracee.NextStop(p);
            Assert.Equal((StopReason.Watchpoint, f), (stop.Reason, stop.Address));
            Assert.Equal(slot.Index, stop.Watchpoint!.Value.Slot);
            var regs = await p.GetRegistersAsync(stop.ThreadId);
            Assert.Equal((f, (ulong)i), (regs.Rip, regs.Rdi));
        }
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(3), await Tracee.End(p));
    }

    [Fact]
    public async Task Register_writes_change_the_program_and_fp_registers_read_back()
    {
        var program = Programs.Build(Programs.HotLoopSource, "hotloop");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["1"] });
        await Tracee.NextStop(p);
        var f = Symbols.RuntimeAddress(p.Pid, program, "f");
        await p.InsertBreakpointAsync(f);
        await p.ContinueAsync();
        var stop = await Tracee.NextStop(p);
        var regs = await p.GetRegistersAsync(stop.ThreadId);
        regs.Rdi = 100; // f(100) instead of f(0): the exit code is sum & 0x7f = 100
        await p.SetRegistersAsync(stop.ThreadId, regs);
        var fp = await p.GetFloatingPointRegistersAsync(stop.ThreadId);
        Assert.Equal(0x1F80u, fp.Mxcsr & 0xFFC0); // default rounding and masks
        var xmm = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        fp.SetXmm(7, xmm);
        await p.SetFloatingPointRegistersAsync(stop.ThreadId, fp);
        Assert.Equal(xmm, (await p.GetFloatingPointRegistersAsync(stop.ThreadId)).GetXmm(7));
        await p.RemoveBreakpointAsync(f);
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(100), await Tracee.End(p));
    }

    [Fact]
    public async Task Modules_come_from_the_loaders_link_map_and_match_proc_maps()
    {
        var program = Programs.Build(Programs.HotLoopSource, "hotloop");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["1"] });
        var before = new List<TargetEvent>();
        await Tracee.NextStop(p, before);
        var loaded = before.OfType<ModuleLoaded>().ToList();
        var libc = Assert.Single(loaded, m => Path.GetFileName(m.Path).StartsWith("libc.so", StringComparison.Ordinal));
        // l_addr of a shared object is where its file offset 0 is mapped.
        var maps = Proc.ProcFs.Maps(p.Pid);
        // The loader's path may go through the /lib symlink while maps shows /usr/lib: compare by inode.
        var inode = ulong.Parse(TestSupport.Toolchain.Run("stat", ["-L", "-c", "%i", libc.Path]).Stdout.Trim());
        Assert.Contains(maps, m => m.Offset == 0 && m.Start == libc.LoadBias && m.Inode == inode);
        Assert.Contains(loaded, m => m.Path.Contains("ld-linux-x86-64", StringComparison.Ordinal));
        Assert.Equal(loaded.Select(m => m.Path), p.Modules.Select(m => m.Path));
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(0), await Tracee.End(p));
    }

    [Fact]
    public async Task Dlopen_and_dlclose_are_reported_through_r_brk_without_a_user_stop()
    {
        const string source = """
            #include <dlfcn.h>
            int main(void) {
                void *h = dlopen("libm.so.6", RTLD_NOW);
                if (!h) return 2;
                double (*c)(double) = (double (*)(double))dlsym(h, "cos");
                int r = c(0.0) == 1.0 ? 0 : 3;
                dlclose(h);
                return r;
            }
            """;
        var program = Programs.Build(source, "dlopen", "-ldl");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program });
        var atStart = new List<TargetEvent>();
        await Tracee.NextStop(p, atStart);
        Assert.DoesNotContain(atStart.OfType<ModuleLoaded>(), m => m.Path.Contains("libm.so", StringComparison.Ordinal));
        await p.ContinueAsync();
        var later = new List<TargetEvent>();
        TargetEvent e;
        while ((e = await Tracee.Next<TargetEvent>(p)) is not (ProcessExited or ProcessKilled))
            later.Add(e);
        Assert.Equal(new ProcessExited(0), e);
        Assert.DoesNotContain(later, x => x is ProcessStopped);
        var load = Assert.Single(later.OfType<ModuleLoaded>(), m => m.Path.Contains("libm.so", StringComparison.Ordinal));
        var unload = Assert.Single(later.OfType<ModuleUnloaded>(), m => m.Path.Contains("libm.so", StringComparison.Ordinal));
        Assert.Equal(load.LoadBias, unload.LoadBias);
        Assert.True(later.IndexOf(load) < later.IndexOf(unload));
    }
}
