using System.Buffers.Binary;
using TrapDebugger.Elf.Core;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Elf.Tests.Core;

/// <summary>Damaged cores (mutations of real ones: truncations, flipped bytes, extreme sizes) give a <see cref="CoreFormatException"/> with one sentence or open; never another exception or a hang.</summary>
public sealed class CorruptCoreTests(ITestOutputHelper output)
{
    private const int Seed = 20250612, Mutations = 400;
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("null_field clang22-O0 kernel mallory")]
    [InlineData("shlib_trap clang22-O2 gdb 40 0")]
    public async Task MutatedCoresGiveOneSentenceOrOpen(string id)
    {
        var path = CoreCatalog.Produce(id).Path;
        var original = File.ReadAllBytes(path);
        var notes = NoteSegment(original);
        var random = new Random(Seed);
        int opened = 0, refused = 0;
        var reasons = new SortedSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Mutations; i++)
        {
            var (bytes, what) = Mutate(original, notes, random);
            int index = i;
            var task = Task.Run(() => Exercise(bytes, $"mutation {index}"), TestContext.Current.CancellationToken);
            var finished = await Task.WhenAny(task, Task.Delay(PerCase, TestContext.Current.CancellationToken));
            Assert.True(finished == task, $"mutation {i} ({what}) did not finish in {PerCase.TotalSeconds} s");
            if (await task is { } message)
            {
                refused++;
                AssertOneSentence(message, $"mutation {i}");
                reasons.Add(message[(message.IndexOf(' ') + 1)..][..Math.Min(60, message.Length - message.IndexOf(' ') - 1)]);
            }
            else opened++;
        }
        output.WriteLine($"{id}: {opened} mutations opened, {refused} refused");
        foreach (var r in reasons.Take(40)) output.WriteLine("  " + r);
        // The sample must reach both outcomes, or it tests nothing about one of them.
        Assert.True(opened > 0 && refused > 0, $"{opened} opened, {refused} refused");
    }

    [Fact]
    public void TruncatedCoresOnDiskSayTheyAreTruncated()
    {
        var path = CoreCatalog.Produce("verbose_trap_multi clang22-O0 kernel bounds").Path;
        var original = File.ReadAllBytes(path);
        var dir = Directory.CreateTempSubdirectory("trapdbg-corrupt-core-");
        try
        {
            var notes = NoteSegment(original);
            // Inside the notes: the threads cannot be read.
            var cut = Path.Combine(dir.FullName, "cut-notes");
            File.WriteAllBytes(cut, original[..(int)(notes.Offset + notes.Size / 2)]);
            var e = Assert.Throws<CoreFormatException>(() => CoreFile.Open(cut));
            AssertOneSentence(e.Message, cut);
            Assert.Contains("truncated", e.Message);
            // Inside the memory: it opens, says what is missing, and missing memory reads as absent.
            var partial = Path.Combine(dir.FullName, "cut-memory");
            File.WriteAllBytes(partial, original[..(original.Length - 8192)]);
            using var core = CoreFile.Open(partial);
            Assert.Contains(core.Warnings, w => w.Contains("truncated", StringComparison.Ordinal));
            // The cut took the tail of the last segment that still has bytes: its end reads as absent, not as zeros.
            var last = core.Memory.Segments.Last(s => s.FileSize > 0);
            Assert.True(last.FileSize < last.MemorySize);
            Assert.Equal(0, core.Memory.ReadDumped(last.End - 16, new byte[16]));
            // Empty, not ELF, and an ELF executable rather than a core.
            var empty = Path.Combine(dir.FullName, "empty");
            File.WriteAllBytes(empty, []);
            AssertOneSentence(Assert.Throws<CoreFormatException>(() => CoreFile.Open(empty)).Message, empty);
            var text = Path.Combine(dir.FullName, "text");
            File.WriteAllText(text, "this is not a core file at all, just some text long enough for an ELF header........");
            Assert.Contains("not an ELF file", Assert.Throws<CoreFormatException>(() => CoreFile.Open(text)).Message);
            var program = CoreCatalog.Produce("verbose_trap_multi clang22-O0 kernel bounds").Binary.Program;
            var notCore = Assert.Throws<CoreFormatException>(() => CoreFile.Open(program));
            Assert.Equal($"{program} is an ELF shared object or position-independent executable, not a core file.", notCore.Message);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void SystemdCoredumpZstdCoresOpenDirectly()
    {
        var dump = CoreCatalog.Produce("shlib_trap clang22-O0 kernel 2 3");
        var dir = Directory.CreateTempSubdirectory("trapdbg-zstd-core-");
        try
        {
            var zst = Path.Combine(dir.FullName, "core.shlib_trap.0.b00t.1234.1700000000000000.zst");
            var r = Toolchain.Run(Toolchain.Find("zstd"), ["-q", "-3", dump.Path, "-o", zst]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var plain = CoreFile.Open(dump.Path);
            using var compressed = CoreFile.Open(zst);
            Assert.Equal("zstd", compressed.Compression);
            Assert.Equal(plain.Threads.Select(t => t.Status), compressed.Threads.Select(t => t.Status));
            Assert.Equal(plain.MappedFiles, compressed.MappedFiles);
            Assert.Equal(plain.Modules.Select(m => m.BuildIdHex), compressed.Modules.Select(m => m.BuildIdHex));
            var pc = plain.SignalledThread.Registers.Rip;
            var a = new byte[32];
            var b = new byte[32];
            Assert.Equal(32, plain.Memory.Read(pc, a));
            Assert.Equal(32, compressed.Memory.Read(pc, b));
            Assert.Equal(a, b);
            // A damaged zstd stream and the compressions systemd can use but we do not read give one sentence.
            var bytes = File.ReadAllBytes(zst);
            bytes[bytes.Length / 2] ^= 0xff;
            bytes[bytes.Length / 2 + 1] ^= 0x5a;
            var broken = Path.Combine(dir.FullName, "broken.zst");
            File.WriteAllBytes(broken, bytes);
            AssertOneSentence(Assert.Throws<CoreFormatException>(() => CoreFile.Open(broken)).Message, broken);
            var xz = Path.Combine(dir.FullName, "core.xz");
            File.WriteAllBytes(xz, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0]);
            Assert.Equal($"{xz} is compressed with xz; decompress it with 'xz -d' and open the result.", Assert.Throws<CoreFormatException>(() => CoreFile.Open(xz)).Message);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    // Opens the image and touches everything a debugger would; returns the refusal's message, or null when it opened.
    private static string? Exercise(byte[] bytes, string name)
    {
        try
        {
            using var core = CoreFile.Read(bytes, name);
            var buffer = new byte[4096];
            foreach (var t in core.Threads)
            {
                _ = t.Registers.Named.Count;
                for (int x = 0; x < 16; x++) { _ = t.GetXmm(x); _ = t.GetYmmUpper(x); }
                core.Memory.Read(t.Registers.Rip, buffer);
                core.Memory.Read(t.Registers.Rsp, buffer);
            }
            _ = (core.Signal, core.SignalInfo?.Address, core.ProcessInfo, core.Auxv.Count, core.MainProgram, core.Warnings.Count);
            foreach (var m in core.Modules) _ = m.ToString();
            foreach (var s in core.Memory.Segments.Take(64)) core.Memory.Read(s.Address, buffer);
            return null;
        }
        catch (CoreFormatException e)
        {
            return e.Message;
        }
    }

    private static (byte[] Bytes, string What) Mutate(byte[] original, (long Offset, long Size) notes, Random random)
    {
        var bytes = (byte[])original.Clone();
        // Most damage goes where parsing happens: the ELF header, the program headers and the notes.
        long Target() => random.Next(3) switch
        {
            0 => random.Next(64),
            1 => 64 + random.Next(Math.Max(1, (int)Math.Min(notes.Offset - 64, 4096))),
            _ => notes.Offset + random.NextInt64(Math.Max(1, notes.Size)),
        };
        switch (random.Next(4))
        {
            case 0:
                long cut = random.Next(2) == 0 ? Target() : random.NextInt64(bytes.Length);
                return (bytes[..(int)cut], $"truncated at {cut}");
            case 1:
                int flips = 1 + random.Next(8);
                for (int i = 0; i < flips; i++) { long at = Target(); if (at < bytes.Length) bytes[at] ^= (byte)(1 << random.Next(8)); }
                return (bytes, $"{flips} bits flipped");
            case 2:
                long field = Target() & ~3L;
                uint[] extremes = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, 4096, 0x10000];
                if (field + 4 <= bytes.Length) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)field), extremes[random.Next(extremes.Length)]);
                return (bytes, $"u32 at {field} set to an extreme");
            default:
                long word = Target() & ~7L;
                ulong[] large = [0, ulong.MaxValue, 1UL << 63, (ulong)bytes.Length, 0xffff_ffff_ffff_f000];
                if (word + 8 <= bytes.Length) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((int)word), large[random.Next(large.Length)]);
                return (bytes, $"u64 at {word} set to an extreme");
        }
    }

    private static (long Offset, long Size) NoteSegment(byte[] image)
    {
        using var elf = ElfFile.Read(image, "core");
        var note = elf.Segments.First(s => s.Type == ElfSegmentType.Note);
        return ((long)note.Offset, (long)note.FileSize);
    }

    private static void AssertOneSentence(string message, string name)
    {
        Assert.StartsWith(name, message);
        Assert.DoesNotContain('\n', message);
        Assert.EndsWith(".", message);
        Assert.DoesNotContain(" at TrapDebugger.", message);
    }
}
