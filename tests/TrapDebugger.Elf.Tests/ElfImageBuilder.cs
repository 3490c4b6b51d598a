using System.Text;

namespace TrapDebugger.Elf.Tests;

/// <summary>Builds small ELF64 images in memory with BinaryWriter, so malformed variants can be made field by field.</summary>
public sealed class ElfImageBuilder
{
    public byte Class = 2, Data = 1;
    public ushort Type = 2, Machine = 62, ShEntSize = 64, PhEntSize = 56;
    public ushort? ShNumOverride;
    public ulong? ShOffOverride;
    public readonly List<(string Name, uint Type, ulong Flags, byte[] Data, uint Link, ulong? SizeOverride, ulong? OffsetOverride)> Sections = [];

    public ElfImageBuilder Section(string name, uint type, byte[] data, ulong flags = 0, uint link = 0, ulong? size = null, ulong? offset = null)
    {
        Sections.Add((name, type, flags, data, link, size, offset));
        return this;
    }

    public byte[] Build()
    {
        var names = new MemoryStream();
        names.WriteByte(0);
        var nameOffsets = new List<uint>();
        foreach (var s in Sections.Select(s => s.Name).Append(".shstrtab"))
        {
            nameOffsets.Add((uint)names.Length);
            names.Write(Encoding.ASCII.GetBytes(s));
            names.WriteByte(0);
        }
        var body = new MemoryStream();
        var offsets = new List<ulong>();
        foreach (var s in Sections) { offsets.Add(64 + (ulong)body.Length); body.Write(s.Data); }
        ulong namesOffset = 64 + (ulong)body.Length;
        body.Write(names.ToArray());
        ulong shoff = 64 + (ulong)body.Length;
        int count = Sections.Count + 2;

        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', Class, Data, 1, 0 });
        w.Write(new byte[8]);
        w.Write(Type);                            // e_type
        w.Write(Machine);                         // e_machine
        w.Write(1u);                              // e_version
        w.Write(0x401000UL);                      // e_entry
        w.Write(0UL);                             // e_phoff
        w.Write(ShOffOverride ?? shoff);          // e_shoff
        w.Write(0u);                              // e_flags
        w.Write((ushort)64);                      // e_ehsize
        w.Write(PhEntSize);                       // e_phentsize
        w.Write((ushort)0);                       // e_phnum
        w.Write(ShEntSize);                       // e_shentsize
        w.Write(ShNumOverride ?? (ushort)count);  // e_shnum
        w.Write((ushort)(count - 1));             // e_shstrndx
        w.Write(body.ToArray());
        w.Write(new byte[64]);                    // section 0
        for (int i = 0; i < Sections.Count; i++)
        {
            var s = Sections[i];
            WriteHeader(w, nameOffsets[i], s.Type, s.Flags, s.OffsetOverride ?? offsets[i], s.SizeOverride ?? (ulong)s.Data.Length, s.Link);
        }
        WriteHeader(w, nameOffsets[^1], 3, 0, namesOffset, (ulong)names.Length, 0);
        return ms.ToArray();
    }

    private static void WriteHeader(BinaryWriter w, uint name, uint type, ulong flags, ulong offset, ulong size, uint link)
    {
        w.Write(name); w.Write(type); w.Write(flags); w.Write(0UL); w.Write(offset); w.Write(size); w.Write(link); w.Write(0u); w.Write(1UL); w.Write(0UL);
    }
}
