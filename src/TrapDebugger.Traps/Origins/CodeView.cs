using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Decoded instructions of one function, plus on-demand decoding of code outside it (trap blocks placed elsewhere).</summary>
internal sealed class CodeView
{
    /// <summary>Functions larger than this are not decoded: the analysis must stay bounded on corrupt symbol sizes.</summary>
    public const ulong MaxFunctionSize = 4 * 1024 * 1024;

    private readonly IMemoryReader code;
    private readonly Dictionary<ulong, Instruction> byAddress = [];
    private readonly HashSet<ulong> branchTargets = [];
    private readonly Dictionary<ulong, List<int>> branchesTo = [];

    public IReadOnlyList<Instruction> Instructions { get; }
    public ulong Start { get; }
    public ulong End { get; }

    private CodeView(IMemoryReader code, ulong start, ulong end, List<Instruction> instructions)
    {
        this.code = code;
        Start = start;
        End = end;
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
    public static CodeView? Load(IMemoryReader code, ulong start, ulong end)
    {
        if (end <= start || end - start > MaxFunctionSize) return null;
        var bytes = new byte[end - start];
        var read = code.Read(start, bytes);
        if (read <= 0) return null;
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes, 0, read), start);
        var list = new List<Instruction>();
        while (decoder.IP < start + (ulong)read)
        {
            decoder.Decode(out var instruction);
            list.Add(instruction);
        }
        return new CodeView(code, start, end, list);
    }

    /// <summary>True when some direct branch in the function targets <paramref name="address"/>.</summary>
    public bool IsBranchTarget(ulong address) => branchTargets.Contains(address);

    /// <summary>The indices in <see cref="Instructions"/> of the direct branches (conditional or not) that target <paramref name="address"/>.</summary>
    public IReadOnlyList<int> BranchesTo(ulong address) => branchesTo.TryGetValue(address, out var sources) ? sources : [];

    /// <summary>The instruction at <paramref name="address"/>, decoding outside the function when needed; null when unreadable or invalid.</summary>
    public Instruction? At(ulong address)
    {
        if (byAddress.TryGetValue(address, out var known)) return known;
        if (address >= Start && address < End) return null; // inside the function but not an instruction boundary
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
