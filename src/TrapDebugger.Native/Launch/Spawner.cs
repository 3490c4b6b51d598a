using System.Runtime.InteropServices;
using System.Text;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Interop;

namespace TrapDebugger.Native.Launch;


/// <summary>Starts a program with posix_spawn through a shell that stops itself before exec, so the tracer can seize
/// it before the program's first instruction. .NET cannot fork safely, and System.Diagnostics.Process would reap the
/// child behind the tracer's back.</summary>
internal static unsafe class Spawner
{
    // The shell stops itself; once seized and continued it execs the program with the remaining arguments.
    private const string StopThenExec = "kill -STOP $$; exec \"$0\" \"$@\"";
    private const int ADDR_NO_RANDOMIZE = 0x0040000;
    private const short POSIX_SPAWN_SETPGROUP = 2, POSIX_SPAWN_SETSIGDEF = 4, POSIX_SPAWN_SETSIGMASK = 8;
    private const int O_CLOEXEC = 0x80000;

    /// <summary>The spawned shell's pid and the parent's ends of the pipes that were asked for.</summary>
    public sealed record Spawned(int Pid, int StdinFd, int StdoutFd, int StderrFd);

    /// <summary>Checks the program and working directory and returns the absolute program path.</summary>
    public static string Resolve(LaunchOptions options)
    {
        var program = options.Program;
        if (string.IsNullOrWhiteSpace(program))
            throw new LaunchFailedException("no program was given to launch; set 'program' to the path of an executable");
        string? path = null;
        if (program.Contains('/'))
            path = Path.GetFullPath(program, options.WorkingDirectory ?? Environment.CurrentDirectory);
        else
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, program);
                if (File.Exists(candidate)) { path = candidate; break; }
            }
            if (path == null)
                throw new LaunchFailedException($"program '{program}' was not found on PATH; give its full path");
        }
        if (Directory.Exists(path))
            throw new LaunchFailedException($"program '{path}' is a directory; give the path of an executable file");
        if (!File.Exists(path))
            throw new LaunchFailedException($"program '{path}' does not exist; check the path");
        const int X_OK = 1;
        if (LibC.Access(path, X_OK) != 0)
            throw new LaunchFailedException($"program '{path}' is not executable; run chmod +x on it");
        if (options.WorkingDirectory is { } cwd && !Directory.Exists(cwd))
            throw new LaunchFailedException($"working directory '{cwd}' does not exist; create it or change 'cwd'");
        return path;
    }

    /// <summary>Spawns the stop-then-exec shell for <paramref name="programPath"/> from the calling (tracer) thread.</summary>
    public static Spawned Spawn(string programPath, LaunchOptions options)
    {
        var argv = new List<string> { "/bin/sh", "-c", StopThenExec, programPath };
        argv.AddRange(options.Arguments);
        var env = options.Environment ?? CurrentEnvironment();
        var envList = env.Select(kv => $"{kv.Key}={kv.Value}").ToList();

        var allocations = new List<nint>();
        var actions = (void*)NativeMemory.AllocZeroed(1024);
        var attr = (void*)NativeMemory.AllocZeroed(1024);
        var sigset = (void*)NativeMemory.AllocZeroed(256);
        var fds = new List<int>();
        int inR = -1, inW = -1, outR = -1, outW = -1, errR = -1, errW = -1;
        var oldPersona = -1;
        try
        {
            LibC.FileActionsInit(actions);
            LibC.SpawnAttrInit(attr);
            // Reset every signal the debugger ignores (SIGPIPE) or blocks, so the program starts as from a shell.
            LibC.SigEmptySet(sigset);
            LibC.SpawnAttrSetSigMask(attr, sigset);
            for (var s = 1; s < 65; s++) LibC.SigAddSet(sigset, s);
            LibC.SpawnAttrSetSigDefault(attr, sigset);
            // Its own process group keeps terminal signals (Ctrl-C) for the debugger to relay.
            LibC.SpawnAttrSetPgroup(attr, 0);
            LibC.SpawnAttrSetFlags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

            Redirect(options.StandardInput, 0, true, ref inR, ref inW, actions, fds);
            Redirect(options.StandardOutput, 1, false, ref outR, ref outW, actions, fds);
            Redirect(options.StandardError, 2, false, ref errR, ref errW, actions, fds);
            if (options.WorkingDirectory is { } cwd)
                LibC.FileActionsAddChdir(actions, Utf8(cwd, allocations));

            var argvPtr = StringArray(argv, allocations);
            var envPtr = StringArray(envList, allocations);
            if (options.DisableAslr)
            {
                // personality() is per task and inherited by the child spawned from this thread.
                oldPersona = LibC.Personality(0xffffffff);
                if (oldPersona != -1) LibC.Personality((ulong)(oldPersona | ADDR_NO_RANDOMIZE));
            }
            int pid;
            var rc = LibC.PosixSpawn(&pid, Utf8("/bin/sh", allocations), actions, attr, argvPtr, envPtr);
            if (rc != 0)
                throw new LaunchFailedException($"posix_spawn of /bin/sh failed ({Marshal.GetPInvokeErrorMessage(rc)}); check that /bin/sh exists and that the system allows new processes");
            // The child's ends belong to it now.
            foreach (var fd in new[] { inR, outW, errW }) if (fd >= 0) LibC.Close(fd);
            return new Spawned(pid, inW, outR, errR);
        }
        catch
        {
            foreach (var fd in fds) LibC.Close(fd);
            throw;
        }
        finally
        {
            if (oldPersona != -1) LibC.Personality((ulong)oldPersona);
            LibC.FileActionsDestroy(actions);
            LibC.SpawnAttrDestroy(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            NativeMemory.Free(sigset);
            foreach (var a in allocations) NativeMemory.Free((void*)a);
        }
    }

    private static void Redirect(StdioMode mode, int target, bool input, ref int readEnd, ref int writeEnd, void* actions, List<int> fds)
    {
        if (mode == StdioMode.Inherit) return;
        if (mode == StdioMode.Null)
        {
            var devNull = File.OpenHandle("/dev/null", FileMode.Open, input ? FileAccess.Read : FileAccess.Write);
            var fd = (int)devNull.DangerousGetHandle();
            devNull.SetHandleAsInvalid();
            fds.Add(fd);
            LibC.FileActionsAddDup2(actions, fd, target);
            if (input) readEnd = fd; else writeEnd = fd;
            return;
        }
        var pair = stackalloc int[2];
        if (LibC.Pipe2(pair, O_CLOEXEC) != 0)
            throw new LaunchFailedException($"could not create a pipe for the program's standard streams ({Marshal.GetLastPInvokeErrorMessage()}); close some files and retry");
        readEnd = pair[0];
        writeEnd = pair[1];
        fds.Add(readEnd);
        fds.Add(writeEnd);
        LibC.FileActionsAddDup2(actions, input ? readEnd : writeEnd, target);
    }

    private static Dictionary<string, string> CurrentEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            result[(string)e.Key] = (string?)e.Value ?? "";
        return result;
    }

    private static byte* Utf8(string s, List<nint> allocations)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        p[bytes.Length] = 0;
        allocations.Add((nint)p);
        return p;
    }

    private static byte** StringArray(IReadOnlyList<string> items, List<nint> allocations)
    {
        var array = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(nint));
        allocations.Add((nint)array);
        for (var i = 0; i < items.Count; i++) array[i] = Utf8(items[i], allocations);
        array[items.Count] = null;
        return array;
    }
}
