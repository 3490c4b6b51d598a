using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Decoded instructions of one function (every part of a split function, in address order), plus on-demand decoding of
/// code outside it (trap blocks placed elsewhere).</summary>
internal sealed class CodeView
{
    /// <summary>Functions larger than this are not decoded: the analysis must stay bounded on corrupt symbol sizes.</summary>
    public const ulong MaxFunctionSize = 4 * 1024 * 1024;

    /// <summary>A function split into more parts than this is decoded from its entry part only.</summary>
    public const int MaxParts = 16;

    private readonly IByteSource code;
    private readonly Dictionary<ulong, Instruction> byAddress = [];
    private readonly HashSet<ulong> branchTargets = [];
    private readonly Dictionary<ulong, List<int>> branchesTo = [];

    /// <summary>The decoded instructions of every part, in address order.</summary>
    public IReadOnlyList<Instruction> Instructions { get; }

    /// <summary>The decoded ranges, in address order.</summary>
    public IReadOnlyList<CodeRange> Parts { get; }

    /// <summary>The function's entry: the start of the part listed first (the only block entered from outside the function).</summary>
    public ulong Entry { get; }

    private CodeView(IByteSource code, IReadOnlyList<CodeRange> parts, ulong entry, List<Instruction> instructions)
    {
        this.code = code;
        Parts = parts;
        Entry = entry;
        Instructions = instructions;
        for (var k = 0; k < instructions.Count; k++)
        {
            var i = instructions[k];
            byAddress[i.IP] = i;
            if (i.FlowControl is FlowControl.ConditionalBranch or FlowControl.UnconditionalBranch && IsDirect(i))
            {
                branchTargets.Add(i.NearBranchTarget);
                if (!branchesTo.TryGetValue(i.NearBranchTarget, out var sources)) branchesTo[i.NearBranchTarget] = sources = [];
                sources.Add(k);
            }
            HasIndirectJump |= i.FlowControl == FlowControl.IndirectBranch;
        }
    }

    /// <summary>True when the function holds a jump through a register or memory (a jump table or an indirect tail call), so
    /// some blocks may be entered from places no direct branch names.</summary>
    public bool HasIndirectJump { get; }

    /// <summary>Decodes [start, end) linearly; returns null when the range is empty, too large or unreadable.</summary>
    public static CodeView? Load(IByteSource code, ulong start, ulong end) => Load(code, [new CodeRange(start, end)]);

    /// <summary>Decodes every part of a function linearly, the entry part first in <paramref name="parts"/>; returns null when the
    /// entry part is empty, too large or unreadable. Other parts that are empty, unreadable or overlap a part already taken are
    /// left out (their branches are then not seen), and so is everything past <see cref="MaxFunctionSize"/> bytes in all.</summary>
    public static CodeView? Load(IByteSource code, IReadOnlyList<CodeRange> parts)
    {
        if (parts.Count == 0) return null;
        var entry = parts[0];
        if (entry.End <= entry.Start || entry.End - entry.Start > MaxFunctionSize) return null;
        var taken = new List<CodeRange>();
        var list = new List<Instruction>();
        ulong total = 0;
        foreach (var part in parts.Take(MaxParts))
        {
            if (part.End <= part.Start || part.End - part.Start > MaxFunctionSize - total) continue;
            if (taken.Any(t => part.Start < t.End && t.Start < part.End)) continue;
            var bytes = new byte[part.End - part.Start];
            var read = code.Read(part.Start, bytes);
            if (read <= 0)
            {
                if (taken.Count == 0) return null;
                continue;
            }
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes, 0, read), part.Start);
            while (decoder.IP < part.Start + (ulong)read)
            {
                decoder.Decode(out var instruction);
                list.Add(instruction);
            }
            taken.Add(new CodeRange(part.Start, part.Start + (ulong)read));
            total += part.End - part.Start;
        }
        list.Sort((a, b) => a.IP.CompareTo(b.IP));
        taken.Sort((a, b) => a.Start.CompareTo(b.Start));
        return new CodeView(code, taken, entry.Start, list);
    }

    /// <summary>True when <paramref name="address"/> starts one of the decoded parts: no instruction falls through into it.</summary>
    public bool IsPartStart(ulong address) => Parts.Any(p => p.Start == address);

    /// <summary>True when <paramref name="address"/> lies inside one of the decoded parts.</summary>
    public bool Contains(ulong address) => Parts.Any(p => address >= p.Start && address < p.End);

    /// <summary>True when some direct branch in the function targets <paramref name="address"/>.</summary>
    public bool IsBranchTarget(ulong address) => branchTargets.Contains(address);

    /// <summary>The indices in <see cref="Instructions"/> of the direct branches (conditional or not) that target <paramref name="address"/>.</summary>
    public IReadOnlyList<int> BranchesTo(ulong address) => branchesTo.TryGetValue(address, out var sources) ? sources : [];

    /// <summary>The instruction at <paramref name="address"/>, decoding outside the function when needed; null when unreadable or invalid.</summary>
    public Instruction? At(ulong address)
    {
        if (byAddress.TryGetValue(address, out var known)) return known;
        if (Contains(address)) return null; // inside the function but not an instruction boundary
        Span<byte> buffer = stackalloc byte[15];
        var read = code.Read(address, buffer);
        if (read <= 0) return null;
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(buffer[..read].ToArray()), address);
        decoder.Decode(out var instruction);
        if (instruction.IsInvalid) return null;
        byAddress[address] = instruction;
        return instruction;
    }

    /// <summary>The index of the instruction at <paramref name="address"/> in <see cref="Instructions"/>, or -1.</summary>
    public int IndexOf(ulong address)
    {
        int lo = 0, hi = Instructions.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var ip = Instructions[mid].IP;
            if (ip == address) return mid;
            if (ip < address) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    public static bool IsDirect(in Instruction i) =>
        i.Op0Kind is OpKind.NearBranch16 or OpKind.NearBranch32 or OpKind.NearBranch64;

    /// <summary>Follows code from <paramref name="from"/> to <paramref name="target"/> through direct jmps and through the conditional
    /// branches in <paramref name="passable"/> (taking the successor given there); null when the path leaves that shape.</summary>
    public List<Instruction>? PathThrough(ulong from, ulong target, IReadOnlyDictionary<ulong, ulong> passable, int maxSteps = 256)
    {
        var path = new List<Instruction>();
        var address = from;
        for (var step = 0; step < maxSteps; step++)
        {
            if (address == target) return path;
            if (At(address) is not { } i) return null;
            if (i.FlowControl == FlowControl.Next) { path.Add(i); address = i.NextIP; }
            else if (i.FlowControl == FlowControl.UnconditionalBranch && IsDirect(i)) address = i.NearBranchTarget;
            else if (passable.TryGetValue(i.IP, out var next)) address = next;
            else return null;
        }
        return null;
    }

    /// <summary>Follows straight-line code from <paramref name="from"/> (through direct jmps) to <paramref name="target"/>.</summary>
    /// <returns>The instructions executed on the way (jmps excluded), or null when the path branches, calls or leaves readable code first.</returns>
    public List<Instruction>? PathTo(ulong from, ulong target, int maxSteps = 24)
    {
        var path = new List<Instruction>();
        var address = from;
        for (var step = 0; step < maxSteps; step++)
        {
            if (address == target) return path;
            if (At(address) is not { } i) return null;
            switch (i.FlowControl)
            {
                case FlowControl.Next:
                    path.Add(i);
                    address = i.NextIP;
                    break;
                case FlowControl.UnconditionalBranch when IsDirect(i):
                    address = i.NearBranchTarget;
                    break;
                default:
                    return null;
            }
        }
        return null;
    }
}
