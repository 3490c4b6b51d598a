using System.Text;

namespace TrapDebugger.Dwarf.CallFrames;

/// <summary>One row of the unwind table: for the code addresses [Address, EndAddress), the CFA rule and each register's rule.</summary>
public sealed class UnwindRow
{
    private readonly KeyValuePair<int, RegisterRule>[] _registers;

    internal UnwindRow(ulong address, ulong endAddress, CfaRule cfa, KeyValuePair<int, RegisterRule>[] registers, FrameDescriptionEntry fde)
    {
        Address = address;
        EndAddress = endAddress;
        Cfa = cfa;
        _registers = registers;
        Fde = fde;
    }

    /// <summary>The first code address this row applies to.</summary>
    public ulong Address { get; }

    /// <summary>One past the last code address this row applies to.</summary>
    public ulong EndAddress { get; }

    /// <summary>How to compute the canonical frame address.</summary>
    public CfaRule Cfa { get; }

    /// <summary>The FDE the row belongs to.</summary>
    public FrameDescriptionEntry Fde { get; }

    /// <summary>True when the FDE's CIE has the 'S' augmentation (a signal trampoline frame).</summary>
    public bool IsSignalFrame => Fde.Cie.IsSignalFrame;

    /// <summary>The DWARF register column of the return address.</summary>
    public int ReturnAddressRegister => (int)Fde.Cie.ReturnAddressRegister;

    /// <summary>The registers that have a rule, in ascending DWARF register order; registers absent here have no rule.</summary>
    public IReadOnlyList<KeyValuePair<int, RegisterRule>> Registers => _registers;

    /// <summary>Finds the rule for DWARF register <paramref name="register"/>; false when the table gives none.</summary>
    public bool TryGetRule(int register, out RegisterRule rule)
    {
        foreach (var (reg, r) in _registers)
        {
            if (reg == register)
            {
                rule = r;
                return true;
            }
        }
        rule = default;
        return false;
    }

    /// <summary>The row as llvm-dwarfdump prints it: "0x1020: CFA=RSP+16: RBX=[CFA-16], RIP=[CFA-8]".</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"0x{Address:x}: CFA=").Append(Cfa.ToString());
        if (_registers.Length > 0)
        {
            sb.Append(": ");
            for (int i = 0; i < _registers.Length; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(Expressions.X86_64Registers.Name((ulong)_registers[i].Key)).Append('=').Append(_registers[i].Value.ToString());
            }
        }
        return sb.ToString();
    }
}
