using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using TrapDebugger.Dwarf;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;
using TrapDebugger.Engine.Model;

namespace TrapDebugger.Engine.Variables;

/// <summary>Where a thread-local address lookup ended: the address, or one sentence saying why there is none.</summary>
/// <param name="Address">The run-time address of the requested byte of the module's thread-local block.</param>
/// <param name="Error">Why the address is unknown, when <paramref name="Address"/> is null.</param>
public readonly record struct ThreadLocalAddress(ulong? Address, string? Error)
{
    /// <summary>A lookup that failed for <paramref name="reason"/>.</summary>
    public static ThreadLocalAddress Failed(string reason) => new(null, reason);
}

/// <summary>Finds the thread-local storage of a module in one thread of an x86-64 glibc process (DW_OP_form_tls_address,
/// DW_OP_GNU_push_tls_address), from the thread pointer (fs_base) and the dynamic loader's structures in memory.</summary>
/// <remarks>
/// x86-64 uses TLS variant II: the thread pointer points at the thread control block (tcbhead_t), the static TLS blocks
/// lie just below it. The main program's block (module id 1) is the first: it ends at the thread pointer, so its start is
/// <c>tp - round_up(p_memsz, p_align)</c> (corrected for a PT_TLS that does not start aligned); this holds for static and
/// dynamic executables alike and needs nothing from the loader. A shared object's block is found through the thread's
/// dynamic thread vector: <c>tcbhead_t.dtv</c> at <c>tp + 8</c>, whose entry <c>dtv[l_tls_modid].pointer.val</c> (16-byte
/// entries; <c>dtv[-1].counter</c> is their number) is the block in this thread. The module id is read from the module's
/// <c>struct link_map</c>, found on the loader's list (r_debug.r_map, reached through the program's DT_DEBUG) by the
/// address of its dynamic section. The offset of <c>l_tls_modid</c> in glibc's private <c>struct link_map</c> comes from
/// the descriptor glibc publishes for libthread_db (<c>_thread_db_link_map_l_tls_modid</c>), or else from the dynamic
/// loader's debug information, so it is right for whichever glibc the program runs with. An entry is trusted only when
/// glibc's slotinfo list gives the slot to this module at a generation the thread's vector has reached (as libthread_db
/// checks): after a dlclose, a thread's stale entry still points at the unloaded module's block.
/// </remarks>
public static class ThreadLocalStorage
{
    private const ulong DtvUnallocated = ulong.MaxValue; // TLS_DTV_UNALLOCATED, ((void *) -1l)
    private const int MaxLinkMapEntries = 65_536;
    private const int MaxDynamicEntries = 4_096;
    private const ulong MaxModuleId = 1 << 20;

    // Module ids never change while a module stays loaded; the l_tls_modid offset never changes for a loader.
    private static readonly ConditionalWeakTable<Module, StrongBox<(ulong Id, ulong LinkMap)>> ModuleIds = new();
    private static readonly ConditionalWeakTable<Module, StrongBox<ulong?>> ModidOffsets = new();

    /// <summary>The address of byte <paramref name="offset"/> of <paramref name="module"/>'s thread-local block in the thread
    /// whose thread pointer is <paramref name="threadPointer"/>.</summary>
    /// <param name="module">The module that defines the variable.</param>
    /// <param name="offset">The operand of DW_OP_form_tls_address: the offset in the module's block.</param>
    /// <param name="threadPointer">The thread's fs_base.</param>
    /// <param name="memory">The process memory.</param>
    /// <param name="modules">Every module loaded in the process (to find the program's dynamic section and the loader).</param>
    public static ThreadLocalAddress Resolve(Module module, ulong offset, ulong? threadPointer, IByteSource memory, IReadOnlyList<Module> modules)
    {
        if (threadPointer is not { } tp || tp == 0) return ThreadLocalAddress.Failed("the thread pointer (fs_base) is not known for this thread");
        ElfSegment? tls;
        try
        {
            tls = module.Elf?.Segments.FirstOrDefault(s => s.Type == ElfSegmentType.Tls) is { Type: ElfSegmentType.Tls } t ? t : null;
        }
        catch (InvalidDataException e)
        {
            return ThreadLocalAddress.Failed($"cannot read the program headers of {module.Name}: {e.Message}");
        }
        if (tls is not { } segment) return ThreadLocalAddress.Failed($"{module.Name} has no thread-local storage segment (PT_TLS)");
        if (offset >= Math.Max(segment.MemorySize, 1)) return ThreadLocalAddress.Failed($"offset 0x{offset:x} lies outside the {segment.MemorySize}-byte thread-local block of {module.Name}");
        if (module.IsMainProgram) return new(MainProgramBlock(tp, segment) + offset, null);
        var shared = SharedObjectBlock(module, tp, memory, modules);
        return shared.Address is { } block ? new(block + offset, null) : shared;
    }

    // glibc's _dl_determine_tlsoffset for the first module under TLS_TCB_AT_TP:
    // off = roundup(memsz - firstbyte, align) + firstbyte, firstbyte = (-p_vaddr) & (align - 1); the block starts at tp - off.
    private static ulong MainProgramBlock(ulong tp, ElfSegment segment)
    {
        ulong align = segment.Alignment == 0 ? 1 : segment.Alignment;
        ulong firstByte = (0 - segment.VirtualAddress) & (align - 1);
        ulong size = segment.MemorySize - firstByte;
        ulong offset = (size + align - 1) / align * align + firstByte;
        return tp - offset;
    }

    private static ThreadLocalAddress SharedObjectBlock(Module module, ulong tp, IByteSource memory, IReadOnlyList<Module> modules)
    {
        string notSupported = $"thread-local storage of {module.Name} is not supported yet";
        ulong moduleId, linkMap;
        if (ModuleIds.TryGetValue(module, out var known)) (moduleId, linkMap) = known.Value;
        else
        {
            var found = FindModuleId(module, memory, modules, out linkMap);
            if (found.Error is { } why) return ThreadLocalAddress.Failed($"{notSupported}: {why}");
            moduleId = found.Address!.Value;
            ModuleIds.AddOrUpdate(module, new StrongBox<(ulong, ulong)>((moduleId, linkMap)));
        }
        if (ReadPointer(memory, tp + 8) is not { } dtv || dtv == 0)
            return ThreadLocalAddress.Failed("cannot read the thread's dynamic thread vector (tcbhead_t.dtv)");
        // dtv[-1].counter: how many module slots this thread's vector has; a module loaded after it was sized is not in it yet.
        if (ReadPointer(memory, dtv - 16) is not { } slots)
            return ThreadLocalAddress.Failed("cannot read the length of the thread's dynamic thread vector");
        string notAllocated = $"the thread-local block of {module.Name} is not allocated in this thread yet (the thread has not used it)";
        if (moduleId > slots || ReadPointer(memory, dtv + 16 * moduleId) is not { } block || block == DtvUnallocated || block == 0)
            return ThreadLocalAddress.Failed(notAllocated);
        if (SlotIsCurrent(memory, modules, dtv, moduleId, linkMap) == false) return ThreadLocalAddress.Failed(notAllocated);
        return new(block, null);
    }

    // A thread brings its vector up to date only in __tls_get_addr: until then an entry may still hold the block of a module
    // that had the same id before it was unloaded. glibc's slotinfo list (_rtld_global._dl_tls_dtv_slotinfo_list, chunks of
    // {len, next, slotinfo[len]} with slotinfo = {gen, map}) says which module holds the slot and since which generation;
    // the entry is this module's only if the slot's map is its link_map and the thread's vector generation (dtv[0].counter)
    // is at least the slot's. Null when the C library does not describe these structures (then the entry is trusted).
    private static bool? SlotIsCurrent(IByteSource memory, IReadOnlyList<Module> modules, ulong dtv, ulong moduleId, ulong linkMap)
    {
        var libc = modules.FirstOrDefault(m => m.Name.StartsWith("libc.so", StringComparison.Ordinal));
        var loader = modules.FirstOrDefault(m => m.Name.StartsWith("ld-", StringComparison.Ordinal) || m.Name.StartsWith("ld.so", StringComparison.Ordinal));
        if (libc is null || loader is null) return null;
        ElfSymbol? rtldGlobal;
        try
        {
            rtldGlobal = loader.Elf?.Symbols.FindByName("_rtld_global").FirstOrDefault();
        }
        catch (InvalidDataException)
        {
            return null;
        }
        if (rtldGlobal is null
            || FieldOffset(memory, libc, "_thread_db_rtld_global__dl_tls_dtv_slotinfo_list") is not { } listField
            || FieldOffset(memory, libc, "_thread_db_dtv_slotinfo_list_len") is not { } lenField
            || FieldOffset(memory, libc, "_thread_db_dtv_slotinfo_list_next") is not { } nextField
            || FieldOffset(memory, libc, "_thread_db_dtv_slotinfo_list_slotinfo") is not { } slotinfoField
            || FieldOffset(memory, libc, "_thread_db_dtv_slotinfo_gen") is not { } genField
            || FieldOffset(memory, libc, "_thread_db_dtv_slotinfo_map") is not { } mapField
            || SizeOf(memory, libc, "_thread_db_sizeof_dtv_slotinfo") is not { } slotSize || slotSize == 0)
            return null;
        if (ReadPointer(memory, loader.ToRuntimeAddress(rtldGlobal.Value) + listField) is not { } list) return null;
        ulong index = moduleId;
        for (int chunk = 0; chunk < 1024 && list != 0; chunk++)
        {
            if (ReadPointer(memory, list + lenField) is not { } length) return null;
            if (index < length)
            {
                ulong slot = list + slotinfoField + index * slotSize;
                if (ReadPointer(memory, slot + genField) is not { } generation || ReadPointer(memory, slot + mapField) is not { } map
                    || ReadPointer(memory, dtv) is not { } threadGeneration)
                    return null;
                return map == linkMap && generation <= threadGeneration;
            }
            index -= length;
            if (ReadPointer(memory, list + nextField) is not { } next) return null;
            list = next;
        }
        return null;
    }

    // The module's l_tls_modid, from its struct link_map on the loader's list.
    private static ThreadLocalAddress FindModuleId(Module module, IByteSource memory, IReadOnlyList<Module> modules, out ulong linkMap)
    {
        linkMap = 0;
        if (DynamicSection(module) is not { } dynamic) return ThreadLocalAddress.Failed($"{module.Name} has no dynamic section");
        var loader = modules.FirstOrDefault(m => m.Name.StartsWith("ld-", StringComparison.Ordinal) || m.Name.StartsWith("ld.so", StringComparison.Ordinal));
        if (loader is null) return ThreadLocalAddress.Failed("the dynamic loader is not among the loaded modules");
        if ((ThreadDebugDescriptor(memory, modules) ?? ModuleIdOffset(loader)) is not { } modidOffset)
            return ThreadLocalAddress.Failed($"neither the C library's _thread_db_link_map_l_tls_modid nor debug information of {loader.Name} says where struct link_map keeps l_tls_modid");
        if (LinkMapHead(memory, modules, loader) is not { } map) return ThreadLocalAddress.Failed("cannot find the dynamic loader's list of modules (r_debug)");
        for (int i = 0; i < MaxLinkMapEntries && map != 0; i++)
        {
            // struct link_map: l_addr, l_name, l_ld, l_next, l_prev.
            if (ReadPointer(memory, map + 16) is not { } ld) break;
            if (ld == dynamic)
            {
                if (ReadPointer(memory, map + modidOffset) is not { } id) return ThreadLocalAddress.Failed("cannot read l_tls_modid");
                if (id == 0 || id > MaxModuleId) return ThreadLocalAddress.Failed($"the loader gives {module.Name} no TLS module id");
                linkMap = map;
                return new(id, null);
            }
            if (ReadPointer(memory, map + 24) is not { } next) break;
            map = next;
        }
        return ThreadLocalAddress.Failed($"{module.Name} is not on the dynamic loader's list of modules");
    }

    private static ulong? DynamicSection(Module module)
    {
        try
        {
            return module.Elf?.Segments.FirstOrDefault(s => s.Type == ElfSegmentType.Dynamic) is { Type: ElfSegmentType.Dynamic } d
                ? module.ToRuntimeAddress(d.VirtualAddress)
                : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    // r_debug.r_map: the program's DT_DEBUG entry points at r_debug once the loader has run; the loader's _r_debug otherwise.
    private static ulong? LinkMapHead(IByteSource memory, IReadOnlyList<Module> modules, Module loader)
    {
        ulong? rDebug = null;
        if (modules.FirstOrDefault(m => m.IsMainProgram) is { } program && DynamicSection(program) is { } dynamic)
        {
            for (int i = 0; i < MaxDynamicEntries; i++)
            {
                if (ReadPointer(memory, dynamic + (ulong)(16 * i)) is not { } tag || tag == 0) break; // DT_NULL
                if (tag == 21) // DT_DEBUG
                {
                    rDebug = ReadPointer(memory, dynamic + (ulong)(16 * i) + 8);
                    break;
                }
            }
        }
        if (rDebug is null or 0)
        {
            try
            {
                if (loader.Elf?.Symbols.FindByName("_r_debug").FirstOrDefault() is { } symbol) rDebug = loader.ToRuntimeAddress(symbol.Value);
            }
            catch (InvalidDataException)
            {
                return null;
            }
        }
        return rDebug is { } r and not 0 ? ReadPointer(memory, r + 8) : null; // r_map
    }

    /// <summary>The offset of <c>l_tls_modid</c> in the loader's <c>struct link_map</c> as each source gives it: glibc's
    /// libthread_db descriptor and the dynamic loader's debug information (null where a source is missing).</summary>
    public static (ulong? FromThreadDbDescriptor, ulong? FromLoaderDebugInfo) LinkMapModuleIdOffsets(IByteSource memory, IReadOnlyList<Module> modules)
    {
        var loader = modules.FirstOrDefault(m => m.Name.StartsWith("ld-", StringComparison.Ordinal) || m.Name.StartsWith("ld.so", StringComparison.Ordinal));
        return (ThreadDebugDescriptor(memory, modules), loader is null ? null : ModuleIdOffset(loader));
    }

    // glibc describes its private structures for libthread_db (and for lldb, which reads the same): the GLIBC_PRIVATE symbol
    // _thread_db_link_map_l_tls_modid (in libc.so.6 since 2.34, libpthread before) is a DB_STRUCT_FIELD descriptor,
    // three 32-bit words: the field's size in bits, its element count, its byte offset.
    private static ulong? ThreadDebugDescriptor(IByteSource memory, IReadOnlyList<Module> modules)
    {
        Span<byte> descriptor = stackalloc byte[12];
        foreach (var module in modules)
        {
            if (!module.Name.StartsWith("libc.so", StringComparison.Ordinal) && !module.Name.StartsWith("libpthread", StringComparison.Ordinal)) continue;
            if (ModidOffsets.TryGetValue(module, out var cached)) return cached.Value;
            ulong? result = null;
            try
            {
                if (module.Elf?.Symbols.FindByName("_thread_db_link_map_l_tls_modid").FirstOrDefault(x => x.Size >= 12) is { } symbol)
                {
                    if (memory.Read(module.ToRuntimeAddress(symbol.Value), descriptor) == 12
                        && BinaryPrimitives.ReadUInt32LittleEndian(descriptor) == 64)
                        result = BinaryPrimitives.ReadUInt32LittleEndian(descriptor[8..]);
                }
            }
            catch (InvalidDataException)
            {
                result = null;
            }
            ModidOffsets.AddOrUpdate(module, new StrongBox<ulong?>(result));
            if (result is not null) return result;
        }
        return null;
    }

    // The byte offset in a DB_STRUCT_FIELD / DB_STRUCT_ARRAY_FIELD descriptor {bits, count, offset} of the C library.
    private static ulong? FieldOffset(IByteSource memory, Module libc, string name) =>
        ReadDescriptor(memory, libc, name, 12) is { } d ? BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(8)) : null;

    // A DB_STRUCT size descriptor: one 32-bit word.
    private static ulong? SizeOf(IByteSource memory, Module libc, string name) =>
        ReadDescriptor(memory, libc, name, 4) is { } d ? BinaryPrimitives.ReadUInt32LittleEndian(d) : null;

    private static byte[]? ReadDescriptor(IByteSource memory, Module libc, string name, int size)
    {
        try
        {
            if (libc.Elf?.Symbols.FindByName(name).FirstOrDefault(x => x.Size >= (ulong)size) is not { } symbol) return null;
            var bytes = new byte[size];
            return memory.Read(libc.ToRuntimeAddress(symbol.Value), bytes) == size ? bytes : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    // The byte offset of l_tls_modid in the loader's struct link_map, from the loader's DWARF (the public <link.h> declares
    // a shorter struct of the same name, so the definition that has the member is the one wanted).
    private static ulong? ModuleIdOffset(Module loader)
    {
        if (ModidOffsets.TryGetValue(loader, out var cached)) return cached.Value;
        ulong? result = null;
        try
        {
            if (loader.Symbols is { } symbols)
            {
                foreach (var unit in symbols.Dwarf.CompileUnits)
                {
                    foreach (var die in unit.Dies)
                    {
                        if (die.Tag != DwarfTag.StructureType || die.Name != "link_map" || die.Has(DwarfAttribute.Declaration)) continue;
                        if (loader.Types.Read(die) is CompositeType type && type.Members.FirstOrDefault(m => m.Name == "l_tls_modid") is { } member)
                        {
                            result = member.ByteOffset;
                            break;
                        }
                    }
                    if (result is not null) break;
                }
            }
        }
        catch (InvalidDataException)
        {
            result = null;
        }
        ModidOffsets.AddOrUpdate(loader, new StrongBox<ulong?>(result));
        return result;
    }

    private static ulong? ReadPointer(IByteSource memory, ulong address)
    {
        Span<byte> buffer = stackalloc byte[8];
        return memory.Read(address, buffer) == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(buffer) : null;
    }
}
