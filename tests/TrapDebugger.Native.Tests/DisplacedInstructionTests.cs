using Iced.Intel;
using TrapDebugger.Native.Breakpoints;

namespace TrapDebugger.Native.Tests;

/// <summary>How the instruction under a breakpoint runs while the breakpoint stays, and what its copy in a scratch slot
/// looks like: bytes in, plan and re-encoded code out.</summary>
public class DisplacedInstructionTests
{
    private const ulong Site = 0x5555_5555_5000;

    [Theory]
    [InlineData("48 8B 05 10 00 00 00", "Slot")]       // mov rax,[rip+0x10]
    [InlineData("55", "Slot")]                         // push rbp
    [InlineData("0F 05", "Slot")]                      // syscall
    [InlineData("74 10", "Slot")]                      // je short
    [InlineData("FF 25 10 00 00 00", "Slot")]          // jmp [rip+0x10]
    [InlineData("C3", "Slot")]                         // ret
    [InlineData("E8 10 00 00 00", "Call")]             // call rel32
    [InlineData("FF 15 10 00 00 00", "Call")]          // call [rip+0x10]
    [InlineData("FF D0", "Call")]                      // call rax
    [InlineData("CC", "InPlace")]                      // int3
    [InlineData("0F 0B", "InPlace")]                   // ud2
    [InlineData("67 0F B9 40 12", "InPlace")]          // ud1 (UBSan)
    [InlineData("CD 80", "InPlace")]                   // int 0x80
    [InlineData("C7 F8 10 00 00 00", "InPlace")]       // xbegin
    [InlineData("FF 1C 24", "InPlace")]                // call far [rsp]
    [InlineData("CB", "InPlace")]                      // retf
    [InlineData("0F FF", "InPlace")]                   // ud0 without its operand: does not decode
    public void Each_kind_of_instruction_gets_its_way_of_running(string hex, string kind)
    {
        var expected = Enum.Parse<DisplacementKind>(kind);
        var plan = DisplacedInstruction.Plan(Site, Convert.FromHexString(hex.Replace(" ", "")));
        Assert.Equal(expected, plan.Kind);
        Assert.Equal(expected == DisplacementKind.InPlace, plan.InPlaceReason is not null);
    }

    [Theory]
    [InlineData("48 8B 05 10 00 00 00", -0x10_0000L)]   // mov rax,[rip+0x10], slot 1 MiB below
    [InlineData("48 8D 3D F0 FF FF FF", 0x3000_0000L)]  // lea rdi,[rip-0x10], slot 768 MiB above
    [InlineData("74 7F", -0x2000L)]                     // je short, now far from its target
    [InlineData("E3 10", -0x2000L)]                     // jrcxz, which has no long form
    [InlineData("FF 25 10 00 00 00", -0x1000L)]         // jmp [rip+0x10]
    [InlineData("0F 05", -0x1000L)]                     // syscall
    public void A_copy_in_a_slot_means_what_the_instruction_meant_at_the_site_and_then_jumps_back(string hex, long slotDistance)
    {
        var plan = DisplacedInstruction.Plan(Site, Convert.FromHexString(hex.Replace(" ", "")));
        var slot = (ulong)((long)Site + slotDistance);
        var (code, resumeOffset) = plan.Encode(slot) ?? throw new InvalidOperationException("not encodable");
        Assert.True(code.Length <= DisplacedInstruction.SlotSize);
        var copy = Decode(code, slot);
        var first = copy[0];
        // The same operation with the same absolute operands: memory operands and branch targets as seen from the site.
        if (plan.Instruction.IsIPRelativeMemoryOperand)
        {
            Assert.Equal(plan.Instruction.Mnemonic, first.Mnemonic);
            Assert.Equal(plan.Instruction.IPRelativeMemoryAddress, first.IPRelativeMemoryAddress);
        }
        if (plan.Instruction.FlowControl == FlowControl.ConditionalBranch)
            Assert.Contains(copy, i => i.FlowControl is FlowControl.UnconditionalBranch or FlowControl.ConditionalBranch && i.NearBranchTarget == plan.Instruction.NearBranchTarget);
        // What follows the copy leads back to the next instruction at the site.
        var resume = copy.First(i => i.IP == slot + (ulong)resumeOffset);
        var back = copy.SkipWhile(i => i.IP < resume.IP).First(i => i.FlowControl == FlowControl.UnconditionalBranch);
        Assert.Equal(plan.Next, back.NearBranchTarget);
        if (plan.IsSystemCall)
        {
            // rcx as the kernel leaves it after a syscall in place: the address of the next instruction.
            Assert.Equal(Code.Syscall, first.Code);
            Assert.Equal((Code.Mov_r64_imm64, Register.RCX, plan.Next), (resume.Code, resume.Op0Register, resume.GetImmediate(1)));
        }
    }

    [Fact]
    public void A_rip_relative_operand_out_of_reach_of_the_slot_cannot_be_copied_there()
    {
        var plan = DisplacedInstruction.Plan(Site, Convert.FromHexString("488B0510000000"));
        Assert.Null(plan.Encode(0x7fff_0000_0000));
    }

    [Fact]
    public void A_call_goes_where_the_instruction_would_send_it_and_returns_after_it()
    {
        var regs = new GeneralRegisters { Rax = 0x1234, Rsp = 0x7ffd_0000_1000, Rip = Site };
        var memory = new PointerAt(Site + 6 + 0x10, 0x4000_5000);
        Assert.Equal(Site + 5 + 0x10, DisplacedInstruction.Plan(Site, Convert.FromHexString("E810000000")).CallTarget(regs, memory));
        Assert.Equal(0x1234UL, DisplacedInstruction.Plan(Site, Convert.FromHexString("FFD0")).CallTarget(regs, memory));
        var throughPointer = DisplacedInstruction.Plan(Site, Convert.FromHexString("FF1510000000"));
        Assert.Equal(0x4000_5000UL, throughPointer.CallTarget(regs, memory));
        Assert.Equal(Site + 6, throughPointer.Next);
        // A pointer that cannot be read: the call runs in place and faults where the program would.
        Assert.Null(throughPointer.CallTarget(regs, new PointerAt(0, 0)));
    }

    private static List<Instruction> Decode(byte[] code, ulong ip)
    {
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(code), ip);
        var list = new List<Instruction>();
        while (decoder.IP < ip + (ulong)code.Length)
        {
            decoder.Decode(out var i);
            list.Add(i);
        }
        return list;
    }

    private sealed class PointerAt(ulong address, ulong value) : IByteSource
    {
        public int Read(ulong at, Span<byte> buffer)
        {
            if (at != address || buffer.Length != 8) return 0;
            BitConverter.TryWriteBytes(buffer, value);
            return 8;
        }
    }
}
