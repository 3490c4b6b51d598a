using Iced.Intel;

namespace TrapDebugger.Native.Breakpoints;

/// <summary>How the instruction under a breakpoint is run while its int3 stays in place.</summary>
internal enum DisplacementKind
{
    /// <summary>A copy runs in a scratch slot in the program, re-encoded for the slot's address, followed by a jump back
    /// to the next instruction: the thread passes the breakpoint with one stop and no other thread is held.</summary>
    Slot,

    /// <summary>A call is done by the tracer: the return address is pushed and the pc set to the callee. A call copied to
    /// a slot would push the slot's address, and every unwinder (C++ exceptions, backtraces) would meet it there.</summary>
    Call,

    /// <summary>The instruction must run where it is: the byte is taken out and the thread single-stepped while the
    /// others are stopped.</summary>
    InPlace,
}

/// <summary>The instruction under one breakpoint site and the way it runs while the breakpoint stays inserted.</summary>
/// <remarks>
/// Out-of-line execution is what Linux uprobes and gdb's displaced stepping do; here the copy ends in a jump back, so a
/// thread passing a breakpoint it does not stop at never stops a second time. Iced's <see cref="BlockEncoder"/>
/// re-encodes the copy for its new address: RIP-relative operands and branch targets keep meaning what they meant at
/// the site (the scratch page is placed within reach of the site for this). Instructions that run in place: those that
/// trap by design (int3, int n, ud0/ud1/ud2), whose fault must be seen at their own address for the stop's diagnosis;
/// transactional xbegin/xabort/xend, whose abort path cannot be taken out of place; far transfers and calls other than
/// near ones; anything Iced cannot decode or re-encode.
/// </remarks>
internal sealed class DisplacedInstruction
{
    /// <summary>The most bytes a slot holds: the re-encoded instruction (a short jcc or loop becomes up to three
    /// instructions) and the jump back.</summary>
    public const int SlotSize = 64;

    private DisplacedInstruction(ulong site, Instruction instruction, byte[] bytes, DisplacementKind kind, string? inPlaceReason)
    {
        Site = site;
        Instruction = instruction;
        Bytes = bytes;
        Kind = kind;
        InPlaceReason = inPlaceReason;
    }

    /// <summary>The breakpoint address.</summary>
    public ulong Site { get; }

    /// <summary>The original instruction, decoded at the site.</summary>
    public Instruction Instruction { get; }

    /// <summary>The instruction's bytes as they were when this was worked out.</summary>
    public byte[] Bytes { get; }

    /// <summary>The instruction's length.</summary>
    public int Length => Instruction.Length;

    /// <summary>Where the thread continues after the instruction when it does not branch.</summary>
    public ulong Next => Site + (ulong)Instruction.Length;

    /// <summary>How the instruction runs.</summary>
    public DisplacementKind Kind { get; private set; }

    /// <summary>Why the instruction runs in place, for <see cref="DisplacementKind.InPlace"/>.</summary>
    public string? InPlaceReason { get; private set; }

    /// <summary>The slot's address, for <see cref="DisplacementKind.Slot"/> once placed (0 before).</summary>
    public ulong Slot { get; private set; }

    /// <summary>The offset in the slot of the jump back: a thread there has finished the instruction.</summary>
    public int ResumeOffset { get; private set; }

    /// <summary>True for a system call instruction, which the kernel restarts by moving the pc back onto it.</summary>
    public bool IsSystemCall => Instruction.Code == Code.Syscall;

    /// <summary>Decodes the instruction at <paramref name="site"/> from <paramref name="code"/> (the original bytes, up to
    /// 15) and decides how it runs.</summary>
    public static DisplacedInstruction Plan(ulong site, ReadOnlySpan<byte> code)
    {
        var bytes = code.ToArray();
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes), site);
        decoder.Decode(out var instruction);
        if (instruction.IsInvalid || instruction.Length > bytes.Length)
            return new DisplacedInstruction(site, instruction, bytes, DisplacementKind.InPlace, "the bytes there do not decode as an instruction");
        var own = bytes[..instruction.Length];
        var (kind, why) = instruction.FlowControl switch
        {
            FlowControl.Interrupt or FlowControl.Exception => (DisplacementKind.InPlace, "it traps by design, and its fault must be seen at its own address"),
            FlowControl.XbeginXabortXend => (DisplacementKind.InPlace, "a transaction's abort path cannot be taken out of place"),
            FlowControl.Call or FlowControl.IndirectCall when instruction.Code is Code.Call_rel32_64 or Code.Call_rm64 => (DisplacementKind.Call, null),
            FlowControl.Call when instruction.Code == Code.Syscall => (DisplacementKind.Slot, null),
            FlowControl.Call or FlowControl.IndirectCall => (DisplacementKind.InPlace, "only near calls are done by the tracer"),
            FlowControl.IndirectBranch when instruction.Code is not (Code.Jmp_rm64) => (DisplacementKind.InPlace, "a far jump runs where it is"),
            FlowControl.Return when instruction.Code is not (Code.Retnq or Code.Retnq_imm16) => (DisplacementKind.InPlace, "a far return runs where it is"),
            _ => (DisplacementKind.Slot, (string?)null),
        };
        return new DisplacedInstruction(site, instruction, own, kind, why);
    }

    /// <summary>Re-encodes the instruction for a slot at <paramref name="slot"/>, followed by the jump back; null when it
    /// cannot be (a RIP-relative operand or branch target out of reach from there). The offset is where the copy has
    /// finished: the jump back, or, after a system call, the instruction that gives rcx the value the call would have left
    /// there in place (the kernel puts the address after the <c>syscall</c> in rcx).</summary>
    public (byte[] Code, int ResumeOffset)? Encode(ulong slot)
    {
        List<Instruction> block = [Instruction];
        if (IsSystemCall) block.Add(Instruction.Create(Code.Mov_r64_imm64, Register.RCX, Next));
        block.Add(Instruction.CreateBranch(Code.Jmp_rel32_64, Next));
        var writer = new SlotWriter();
        if (!BlockEncoder.TryEncode(64, new InstructionBlock(writer, block, slot), out _, out var result,
                BlockEncoderOptions.ReturnNewInstructionOffsets))
            return null;
        var offsets = result.NewInstructionOffsets;
        // What follows the copy must be single instructions at known offsets, so a thread found there is known to have
        // finished the instruction.
        if (offsets.Length != block.Count || offsets.Skip(1).Any(o => o == uint.MaxValue) || writer.Length > SlotSize) return null;
        return (writer.ToArray(), (int)offsets[1]);
    }

    /// <summary>Records that the slot at <paramref name="slot"/> holds the code <see cref="Encode"/> made.</summary>
    public void Place(ulong slot, int resumeOffset)
    {
        Slot = slot;
        ResumeOffset = resumeOffset;
    }

    /// <summary>Gives up displacing: the instruction runs in place from now on, for <paramref name="why"/>.</summary>
    public void RunInPlace(string why)
    {
        Kind = DisplacementKind.InPlace;
        InPlaceReason = why;
    }

    /// <summary>The callee of a <see cref="DisplacementKind.Call"/> for a thread with <paramref name="registers"/>, reading
    /// the pointer of a memory operand from <paramref name="memory"/>; null when it cannot be read.</summary>
    public ulong? CallTarget(in GeneralRegisters registers, IByteSource memory)
    {
        if (Instruction.Code == Code.Call_rel32_64) return Instruction.NearBranchTarget;
        if (Instruction.Op0Kind == OpKind.Register) return RegisterValue(Instruction.Op0Register, registers);
        var regs = registers;
        if (!Instruction.TryGetVirtualAddress(0, 0, out var pointer, (Register register, int _, int _, out ulong value) =>
            {
                var v = register switch
                {
                    Register.FS => regs.FsBase,
                    Register.GS => regs.GsBase,
                    Register.ES or Register.CS or Register.SS or Register.DS => (ulong?)0,
                    Register.RIP => Next,
                    _ => RegisterValue(register, regs),
                };
                value = v ?? 0;
                return v is not null;
            }))
            return null;
        Span<byte> target = stackalloc byte[8];
        return memory.Read(pointer, target) == 8 ? BitConverter.ToUInt64(target) : null;
    }

    private static ulong? RegisterValue(Register register, in GeneralRegisters r) => register switch
    {
        Register.RAX => r.Rax, Register.RBX => r.Rbx, Register.RCX => r.Rcx, Register.RDX => r.Rdx,
        Register.RSI => r.Rsi, Register.RDI => r.Rdi, Register.RBP => r.Rbp, Register.RSP => r.Rsp,
        Register.R8 => r.R8, Register.R9 => r.R9, Register.R10 => r.R10, Register.R11 => r.R11,
        Register.R12 => r.R12, Register.R13 => r.R13, Register.R14 => r.R14, Register.R15 => r.R15,
        Register.EAX => (uint)r.Rax, Register.EBX => (uint)r.Rbx, Register.ECX => (uint)r.Rcx, Register.EDX => (uint)r.Rdx,
        Register.ESI => (uint)r.Rsi, Register.EDI => (uint)r.Rdi, Register.EBP => (uint)r.Rbp, Register.ESP => (uint)r.Rsp,
        Register.R8D => (uint)r.R8, Register.R9D => (uint)r.R9, Register.R10D => (uint)r.R10, Register.R11D => (uint)r.R11,
        Register.R12D => (uint)r.R12, Register.R13D => (uint)r.R13, Register.R14D => (uint)r.R14, Register.R15D => (uint)r.R15,
        _ => null,
    };

    private sealed class SlotWriter : CodeWriter
    {
        private readonly byte[] _bytes = new byte[SlotSize * 2];

        public int Length { get; private set; }

        public override void WriteByte(byte value)
        {
            if (Length < _bytes.Length) _bytes[Length] = value;
            Length++;
        }

        public byte[] ToArray() => _bytes[..Length];
    }
}
