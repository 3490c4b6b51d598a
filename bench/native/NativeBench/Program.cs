using System.Diagnostics;
using TrapDebugger.Native;
using TrapDebugger.Targets;

// Usage: NativeBench launch <program>            -> time launch-to-entry and kill
//        NativeBench roundtrip <program> <n>      -> n pause/continue round trips on a running program
//        NativeBench hits <program> <address-of-f> <n>  -> breakpoint at f, evaluate x == -1 (rdi) on each hit
//        NativeBench decide <program> <address-of-f> <n> -> the same condition decided where the hit is seen (no stop reported)
//        NativeBench sites <program> <addresses-file> <n>  -> what the breakpoint bytes cost: pause/continue round trips and
//                                                  single steps with none and with every address of the file patched
var mode = args[0];
var program = args[1];
var timeout = TimeSpan.FromSeconds(60);
switch (mode)
{
    case "launch":
    {
        for (var i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["1"] });
            var launched = sw.Elapsed.TotalMilliseconds;
            await p.KillAsync();
            Console.WriteLine($"launch {launched:0.0} ms, kill {sw.Elapsed.TotalMilliseconds - launched:0.0} ms");
        }
        break;
    }
    case "roundtrip":
    {
        var n = int.Parse(args[2]);
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["600"] });
        await NextStop(p);
        await p.ContinueAsync();
        await Task.Delay(200); // let the workers start
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            await p.PauseAsync();
            await NextStop(p);
            await p.ContinueAsync();
        }
        var s = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"stop-resume round trips: {n} in {s:0.000} s = {s / n * 1e6:0.0} us each ({p.ThreadIds.Count} threads)");
        break;
    }
    case "hits":
    {
        var f = Convert.ToUInt64(args[2], 16);
        var n = int.Parse(args[3]);
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = [n.ToString()] });
        await NextStop(p);
        var evaluated = 0;
        var hits = 0;
        await p.InsertBreakpointAsync(f);
        var sw = Stopwatch.StartNew();
        await p.ContinueAsync();
        while (true)
        {
            var e = await p.Events.ReadAsync();
            if (e is ProcessStopped stop)
            {
                // The condition x == -1 reads the argument register at each hit, as a debugger deciding whether to stop.
                evaluated++;
                if ((long)(await p.GetRegistersAsync(stop.ThreadId)).Rdi == -1) hits++;
                await p.ContinueAsync();
            }
            else if (e is ProcessExited or ProcessKilled) break;
        }
        var s = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"native: {evaluated} hits in {s:0.000} s = {evaluated / s:0} hits/s (condition true {hits} times)");
        break;
    }
    case "decide":
    {
        var f = Convert.ToUInt64(args[2], 16);
        var n = int.Parse(args[3]);
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = [n.ToString()] });
        await NextStop(p);
        var evaluated = 0;
        await p.InsertBreakpointAsync(f, hit =>
        {
            evaluated++;
            return (long)hit.Registers.Rdi == -1;
        });
        var sw = Stopwatch.StartNew();
        await p.ContinueAsync();
        while (await p.Events.ReadAsync() is not (ProcessExited or ProcessKilled)) { }
        var s = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"native decide: {evaluated} hits in {s:0.000} s = {evaluated / s:0} hits/s");
        break;
    }
    case "sites":
    {
        var addresses = File.ReadAllLines(args[2]).Where(l => l.Length > 0).Select(l => Convert.ToUInt64(l, 16)).ToList();
        var n = int.Parse(args[3]);
        foreach (var count in new[] { 0, addresses.Count, 0, addresses.Count })
        {
            await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["600"] });
            await NextStop(p);
            var load = Convert.ToUInt64(File.ReadLines($"/proc/{p.Pid}/maps").First().Split('-')[0], 16);
            foreach (var a in addresses.Take(count)) await p.InsertBreakpointAsync(load + a);
            await p.ContinueAsync();
            await Task.Delay(200); // let the workers start
            var sw = Stopwatch.StartNew();
            ProcessStopped? last = null;
            for (var i = 0; i < n; i++)
            {
                await p.PauseAsync();
                last = await NextStop(p);
                if (i < n - 1) await p.ContinueAsync();
            }
            var roundTrip = sw.Elapsed.TotalMilliseconds * 1000 / n;
            // Single steps of a worker (usleep(50) in a loop) while every other thread stays stopped.
            var worker = p.ThreadIds.First(t => t != p.Pid);
            sw.Restart();
            for (var i = 0; i < n; i++)
            {
                await p.StepInstructionAsync(worker);
                await NextStop(p);
            }
            var step = sw.Elapsed.TotalMilliseconds * 1000 / n;
            Console.WriteLine($"{count,5} breakpoints: pause/continue round trip {roundTrip,7:0.0} us, single step {step,7:0.0} us ({p.ThreadIds.Count} threads)");
            if (count > 0)
            {
                // What writing the bytes one site at a time would cost: one pwrite of /proc/PID/mem per site (the byte
                // written is the one already there).
                using var mem = new FileStream($"/proc/{p.Pid}/mem", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
                var one = new byte[1];
                sw.Restart();
                foreach (var a in addresses.Take(count))
                {
                    RandomAccess.Read(mem.SafeFileHandle, one, (long)(load + a));
                    RandomAccess.Write(mem.SafeFileHandle, one, (long)(load + a));
                }
                Console.WriteLine($"      for comparison, {count} one-byte reads and writes of /proc/{p.Pid}/mem (one site at a time) take {sw.Elapsed.TotalMilliseconds * 1000:0} us");
            }
            await p.KillAsync();
        }
        break;
    }
}

async Task<ProcessStopped> NextStop(TraceeProcess p)
{
    using var cts = new CancellationTokenSource(timeout);
    while (true)
        if (await p.Events.ReadAsync(cts.Token) is ProcessStopped s) return s;
}
