using System.Buffers.Binary;
using System.Text;
using TrapDebugger.Elf.Core;

namespace TrapDebugger.Cores;

/// <summary>Encodes the PT_NOTE contents of a core in the order the Linux kernel writes them, which gdb and lldb both read.</summary>
/// <remarks>The first thread's NT_PRSTATUS comes first, then the process notes (NT_PRPSINFO, its NT_SIGINFO, NT_AUXV,
/// NT_FILE), then its NT_FPREGSET and NT_X86_XSTATE; every other thread follows as NT_PRSTATUS, its NT_SIGINFO if it has
/// one, NT_FPREGSET, NT_X86_XSTATE. A reader attaches each note to the NT_PRSTATUS before it.</remarks>
internal static class CoreNoteEncoder
{
    public static byte[] Encode(CoreDescription core, ulong pageSize)
    {
        using var stream = new MemoryStream();
        for (int i = 0; i < core.Threads.Count; i++)
        {
            var t = core.Threads[i];
            var status = new byte[ElfPrStatus.Size];
            t.Status.Write(status);
            Write(stream, CoreNoteType.CoreOwner, CoreNoteType.NT_PRSTATUS, status);
            if (i == 0)
            {
                var info = new byte[ElfPrPsInfo.Size];
                core.Process.Write(info);
                Write(stream, CoreNoteType.CoreOwner, CoreNoteType.NT_PRPSINFO, info);
            }
            if (t.SignalInfo != null)
                Write(stream, CoreNoteType.CoreOwner, CoreNoteType.NT_SIGINFO, t.SignalInfo.Bytes);
            if (i == 0)
            {
                Write(stream, CoreNoteType.CoreOwner, CoreNoteType.NT_AUXV, EncodeAuxv(core.Auxv));
                if (core.MappedFiles.Count > 0)
                    Write(stream, CoreNoteType.CoreOwner, CoreNoteType.NT_FILE, EncodeMappedFiles(core.MappedFiles, pageSize));
            }
            if (t.FloatingPoint != null)
                Write(stream, CoreNoteType.CoreOwner, CoreNoteType.NT_FPREGSET, t.FloatingPoint);
            if (t.ExtendedState != null)
                Write(stream, CoreNoteType.LinuxOwner, CoreNoteType.NT_X86_XSTATE, t.ExtendedState);
        }
        return stream.ToArray();
    }

    private static byte[] EncodeAuxv(IReadOnlyList<AuxvEntry> auxv)
    {
        var bytes = new byte[(auxv.Count + 1) * 16];
        for (int i = 0; i < auxv.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 16), auxv[i].Type);
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 16 + 8), auxv[i].Value);
        }
        return bytes; // ends with AT_NULL
    }

    private static byte[] EncodeMappedFiles(IReadOnlyList<CoreMappedFile> files, ulong pageSize)
    {
        using var s = new MemoryStream();
        var word = new byte[8];
        void Put(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, value);
            s.Write(word);
        }
        Put((ulong)files.Count);
        Put(pageSize);
        foreach (var f in files)
        {
            Put(f.Start);
            Put(f.End);
            Put(f.FileOffset / pageSize);
        }
        foreach (var f in files)
        {
            s.Write(Encoding.UTF8.GetBytes(f.Path));
            s.WriteByte(0);
        }
        return s.ToArray();
    }

    // Elf64_Nhdr: n_namesz, n_descsz, n_type, then the name and the descriptor, each padded to 4 bytes.
    private static void Write(Stream stream, string owner, uint type, ReadOnlySpan<byte> descriptor)
    {
        var name = Encoding.ASCII.GetBytes(owner + "\0");
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)name.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)descriptor.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], type);
        stream.Write(header);
        stream.Write(name);
        Pad(stream, name.Length);
        stream.Write(descriptor);
        Pad(stream, descriptor.Length);
    }

    private static void Pad(Stream stream, int length)
    {
        for (int i = length; i % 4 != 0; i++)
            stream.WriteByte(0);
    }
}
