using System.Runtime.InteropServices;
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
    private const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_NOCTTY = 0x100, O_TRUNC = 0x200, O_CLOEXEC = 0x80000;

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

        using var request = new SpawnRequest();
        var actions = request.Actions;
        var attr = request.Attributes;
        var sigset = request.SignalSet;
        var fds = new List<int>();
        // The child's copies of its streams: closed in the parent once the child holds them (a file shared by two
        // streams appears once).
        var childEnds = new HashSet<int>();
        int inW = -1, outR = -1, errR = -1;
        var oldPersona = -1;
        try
        {
            // Reset every signal the debugger ignores (SIGPIPE) or blocks, so the program starts as from a shell.
            LibC.SigEmptySet(sigset);
            LibC.SpawnAttrSetSigMask(attr, sigset);
            for (var s = 1; s < 65; s++) LibC.SigAddSet(sigset, s);
            LibC.SpawnAttrSetSigDefault(attr, sigset);
            // Its own process group keeps terminal signals (Ctrl-C) for the debugger to relay.
            LibC.SpawnAttrSetPgroup(attr, 0);
            LibC.SpawnAttrSetFlags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

            var files = OpenFiles(options, fds, childEnds);
            inW = Redirect(options.StandardInput, options.StandardInputPath, 0, files, actions, fds, childEnds);
            outR = Redirect(options.StandardOutput, options.StandardOutputPath, 1, files, actions, fds, childEnds);
            errR = Redirect(options.StandardError, options.StandardErrorPath, 2, files, actions, fds, childEnds);
            if (options.WorkingDirectory is { } cwd)
                LibC.FileActionsAddChdir(actions, request.Utf8(cwd));

            if (options.DisableAslr)
            {
                // personality() is per task and inherited by the child spawned from this thread.
                oldPersona = LibC.Personality(0xffffffff);
                if (oldPersona != -1) LibC.Personality((ulong)(oldPersona | ADDR_NO_RANDOMIZE));
            }
            var rc = request.Spawn("/bin/sh", argv, envList, out var pid);
            if (rc != 0)
                throw new LaunchFailedException($"posix_spawn of /bin/sh failed ({Marshal.GetPInvokeErrorMessage(rc)}); check that /bin/sh exists and that the system allows new processes");
            // The child's ends belong to it now.
            foreach (var fd in childEnds) LibC.Close(fd);
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
        }
    }

    /// <summary>Points stream <paramref name="target"/> of the child at what <paramref name="mode"/> asks for; returns the
    /// parent's end of a pipe, or -1.</summary>
    private static int Redirect(StdioMode mode, string? path, int target, Dictionary<string, int> files, void* actions, List<int> fds, HashSet<int> childEnds)
    {
        bool input = target == 0;
        switch (mode)
        {
            case StdioMode.Inherit:
                return -1;
            case StdioMode.File:
                LibC.FileActionsAddDup2(actions, files[path!], target);
                return -1;
            case StdioMode.Null:
                var devNull = File.OpenHandle("/dev/null", FileMode.Open, input ? FileAccess.Read : FileAccess.Write);
                var fd = (int)devNull.DangerousGetHandle();
                devNull.SetHandleAsInvalid();
                fds.Add(fd);
                childEnds.Add(fd);
                LibC.FileActionsAddDup2(actions, fd, target);
                return -1;
        }
        var pair = stackalloc int[2];
        if (LibC.Pipe2(pair, O_CLOEXEC) != 0)
            throw new LaunchFailedException($"could not create a pipe for the program's standard streams ({Marshal.GetLastPInvokeErrorMessage()}); close some files and retry");
        fds.Add(pair[0]);
        fds.Add(pair[1]);
        int childEnd = input ? pair[0] : pair[1];
        childEnds.Add(childEnd);
        LibC.FileActionsAddDup2(actions, childEnd, target);
        return input ? pair[1] : pair[0];
    }

    /// <summary>Opens each distinct path of the streams in <see cref="StdioMode.File"/> once, close-on-exec (the child gets
    /// its copies through dup2): a path read by stdin and written by another stream (a terminal) for reading and
    /// writing, a file read by stdin as it is, a file only written to created or truncated.</summary>
    private static Dictionary<string, int> OpenFiles(LaunchOptions options, List<int> fds, HashSet<int> childEnds)
    {
        var uses = new Dictionary<string, (bool Read, bool Write, string Streams)>(StringComparer.Ordinal);
        void Use(StdioMode mode, string? path, bool read, string stream)
        {
            if (mode != StdioMode.File) return;
            if (string.IsNullOrEmpty(path))
                throw new LaunchFailedException($"the program's {stream} was to go to a file, but no path was given");
            var (r, w, names) = uses.GetValueOrDefault(path);
            uses[path] = (r || read, w || !read, names is null ? stream : $"{names} and {stream}");
        }
        Use(options.StandardInput, options.StandardInputPath, true, "stdin");
        Use(options.StandardOutput, options.StandardOutputPath, false, "stdout");
        Use(options.StandardError, options.StandardErrorPath, false, "stderr");

        var files = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (path, (read, write, streams)) in uses)
        {
            // O_CREAT and O_TRUNC do nothing to a device; O_NOCTTY keeps a terminal from becoming the debugger's own.
            int flags = O_CLOEXEC | O_NOCTTY | (read && write ? O_RDWR | O_CREAT : write ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY);
            int fd = LibC.Open(path, flags, 0x1b6 /* 0666, less the umask */);
            if (fd < 0)
                throw new LaunchFailedException($"cannot open '{path}' for the program's {streams} ({Marshal.GetLastPInvokeErrorMessage()}); check the path");
            fds.Add(fd);
            childEnds.Add(fd);
            files[path] = fd;
        }
        return files;
    }

    private static Dictionary<string, string> CurrentEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            result[(string)e.Key] = (string?)e.Value ?? "";
        return result;
    }
}
