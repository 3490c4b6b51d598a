using System.Diagnostics;

namespace TrapDebugger.TestSupport;

/// <summary>Finds the compilers and LLVM tools the tests use, and runs them.</summary>
/// <remarks>A missing tool is a test failure with the fix in the message, never a silent skip:
/// `scripts/bootstrap` installs every tool named here.</remarks>
public static class Toolchain
{
    public static string Clang22 => Find("clang-22");
    public static string ClangXX22 => Find("clang++-22");
    public static string Clang19 => Find("clang-19");
    public static string ClangXX19 => Find("clang++-19");
    public static string Gcc => Find("gcc");
    public static string Gxx => Find("g++");
    public static string Rustc => Find("rustc", Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cargo/bin"));
    public static string LlvmDwarfdump => Find("llvm-dwarfdump-22");
    public static string LlvmAddr2line => Find("llvm-addr2line-22");
    public static string LlvmCxxfilt => Find("llvm-cxxfilt-22");
    public static string GnuCxxfilt => Find("c++filt");
    public static string LlvmObjdump => Find("llvm-objdump-22");
    public static string LlvmNm => Find("llvm-nm-22");
    public static string Lldb => Find("lldb-22");
    public static string Gdb => Find("gdb");

    /// <summary>Returns the absolute path of <paramref name="tool"/> on PATH (or in <paramref name="extraDir"/>).</summary>
    public static string Find(string tool, string? extraDir = null)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).ToList();
        dirs.AddRange(["/usr/bin", "/usr/local/bin", "/usr/lib/llvm-22/bin"]);
        if (extraDir != null) dirs.Add(extraDir);
        foreach (var dir in dirs)
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException($"'{tool}' was not found on PATH; run scripts/bootstrap (as root) to install the test toolchain.");
    }

    /// <summary>Runs a program to completion and returns its exit code and output; throws if it takes longer than <paramref name="timeout"/>.</summary>
    public static ProcessResult Run(string program, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null, string? stdin = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin != null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin != null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in {timeout ?? TimeSpan.FromMinutes(5)}");
        }
        p.WaitForExit();
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>The exit code and captured output of a finished process.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);
