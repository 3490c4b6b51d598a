namespace TrapDebugger.Native.Breakpoints;

/// <summary>The pages the tracer maps into the program to run displaced instructions in, and the slots handed out in
/// them.</summary>
/// <remarks>A page is placed within <see cref="Reach"/> of the code whose instructions it runs, so RIP-relative operands
/// and branch targets near that code stay within the ±2 GiB a re-encoded instruction can reach, and the jump back is one
/// near jump. A slot is never reused for another instruction: a thread may sit in one for as long as a system call there
/// blocks, and the kernel restarts an interrupted call by moving the thread's pc back onto it. The pages stay mapped until
/// the tracer detaches, so a thread inside a slot when the debugger dies still finds its way back.</remarks>
internal sealed class ScratchSpace
{
    /// <summary>The bytes mapped at a time.</summary>
    public const int PageSize = 4096;

    /// <summary>How far from a site its slot may lie.</summary>
    public const ulong Reach = 1UL << 30;

    private readonly List<Page> _pages = [];
    private readonly Dictionary<ulong, DisplacedInstruction> _bySlot = [];

    private sealed class Page(ulong address)
    {
        public ulong Address { get; } = address;
        public int Used { get; set; }
        public bool Full => Used + DisplacedInstruction.SlotSize > PageSize;
    }

    /// <summary>The mapped pages' addresses.</summary>
    public IEnumerable<ulong> Pages => _pages.Select(p => p.Address);

    /// <summary>True when a page with a free slot lies within reach of <paramref name="site"/>.</summary>
    public bool HasRoomNear(ulong site) => _pages.Any(p => !p.Full && Near(p.Address, site));

    /// <summary>Adds a page mapped at <paramref name="address"/>.</summary>
    public void AddPage(ulong address) => _pages.Add(new Page(address));

    /// <summary>A free slot within reach of <paramref name="site"/>, or null.</summary>
    public ulong? TakeSlot(ulong site)
    {
        var page = _pages.FirstOrDefault(p => !p.Full && Near(p.Address, site));
        if (page is null) return null;
        var slot = page.Address + (ulong)page.Used;
        page.Used += DisplacedInstruction.SlotSize;
        return slot;
    }

    /// <summary>Records that <paramref name="displaced"/> runs in its slot.</summary>
    public void Register(DisplacedInstruction displaced) => _bySlot[displaced.Slot] = displaced;

    /// <summary>The displaced instruction whose slot holds <paramref name="pc"/>, and the pc's offset in the slot.</summary>
    public (DisplacedInstruction Instruction, int Offset)? Find(ulong pc)
    {
        foreach (var page in _pages)
        {
            if (pc < page.Address || pc >= page.Address + PageSize) continue;
            var slot = pc - (pc - page.Address) % DisplacedInstruction.SlotSize;
            return _bySlot.TryGetValue(slot, out var displaced) ? (displaced, (int)(pc - slot)) : null;
        }
        return null;
    }

    /// <summary>Forgets every page and slot (the address space they lived in is gone, after an exec).</summary>
    public void Clear()
    {
        _pages.Clear();
        _bySlot.Clear();
    }

    private static bool Near(ulong page, ulong site) =>
        (page > site ? page + PageSize - site : site - page) < Reach;
}
