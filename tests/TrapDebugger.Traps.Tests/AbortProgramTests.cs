using System.Globalization;
using System.Text.RegularExpressions;
using TrapDebugger.TestSupport;
using TrapDebugger.Traps.Tests.Support;

namespace TrapDebugger.Traps.Tests;

/// <summary>The assert_fail fixture under gdb: the assertion text comes from glibc's real __abort_msg, and the landing frame is
/// the caller of __assert_fail.</summary>
public sealed class AbortProgramTests
{
    private sealed class OneGlobal(ulong address) : IGlobalSymbols
    {
        public ulong? AddressOf(string name) => name == "__abort_msg" ? address : null;
    }

    [Theory]
    [InlineData("clang22-O0", "100", "hdr->length <= MAX_PAYLOAD && \"payload length exceeds buffer\"")]
    [InlineData("clang22-O2", "16 0x1234", "hdr->magic == 0x5452 && \"bad magic\"")]
    [InlineData("gcc-O2", "100", "hdr->length <= MAX_PAYLOAD && \"payload length exceeds buffer\"")]
    public void AssertionTextAndCallerAreFound(string variant, string args, string expression)
    {
        var build = Fixtures.Build("assert_fail", variant switch
        {
            "clang22-O0" => BuildVariant.Clang22O0,
            "clang22-O2" => BuildVariant.Clang22O2,
            _ => BuildVariant.GccO2,
        });
        var dir = Path.Combine(Path.GetTempPath(), $"trapdbg-abort-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var (global, block) = (Path.Combine(dir, "global.bin"), Path.Combine(dir, "block.bin"));
            var r = Toolchain.Run("gdb", ["-batch", "-nx", "-ex", "run", "-ex", "bt",
                "-ex", "p/x (unsigned long)&__abort_msg", "-ex", "p/x *(unsigned long *)&__abort_msg",
                "-ex", $"dump binary memory {global} (char*)&__abort_msg (char*)&__abort_msg+8",
                "-ex", $"dump binary memory {block} *(char**)&__abort_msg *(char**)&__abort_msg+4096",
                "--args", build.Program, .. args.Split(' ')], timeout: TimeSpan.FromMinutes(2));
            // gdb splits the dump command's arguments at spaces, so the address expressions above have none.
            var values = Regex.Matches(r.Stdout, @"^\$\d+ = 0x([0-9a-f]+)$", RegexOptions.Multiline)
                .Select(m => ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToList();
            Assert.True(values.Count == 2, r.Stdout + r.Stderr);
            var frames = Regex.Matches(r.Stdout, @"^#\d+\s+(?:0x([0-9a-f]+) in )?([^\s(]+) \(.*?\)(?: at (.+):(\d+))?", RegexOptions.Multiline)
                .Select(m => new BacktraceFrame(
                    m.Groups[1].Success ? ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : 0,
                    m.Groups[2].Value,
                    m.Groups[3].Success ? new SourceLocation(m.Groups[3].Value, int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture)) : null))
                .ToList();
            var memory = new SparseMemory().Add(values[0], File.ReadAllBytes(global)).Add(values[1], File.ReadAllBytes(block));

            var d = StopAnalysis.Diagnose(new StopContext
            {
                Registers = new RegisterState(),
                Signal = new SignalInfo(Signals.SIGABRT, -6),
                Memory = memory,
                Globals = new OneGlobal(values[0]),
                Backtrace = frames,
            });

            var why = $"{d.Kind} {d.Description}\n{r.Stdout}";
            Assert.True(d.Kind == StopKind.Assertion, why);
            Assert.Equal($"Assertion failed: {expression}", d.Description);
            Assert.Contains("assert_fail.c:", d.Message);
            Assert.True(d.Landing?.Function == "parse_header" || d.Landing?.Function == "main", why);
            Assert.EndsWith("assert_fail.c", d.Landing?.Location?.File);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
