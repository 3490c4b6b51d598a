#!/usr/bin/env python3
"""Writes conditions.txt and origins.txt next to this file.

conditions.txt: small functions whose conditional branch reaches a ud2, with register states and the expected condition
status. The expected status comes from this file's own model of the x86 flags (independent of the C# code); the bytes
come from llvm-mc-22.

origins.txt: functions with several checks sharing one ud2 (the shape Clang gives merged checks, compound `a || b` checks
among them). Each row starts from registers on entry, runs the code on this file's own small x86 model to the ud2, and
records the registers there, the branch that sent control to the trap, and the checks whose branch never ran.

Run: python3 generate-conditions.py"""
import os, re, subprocess, tempfile

def assemble(asm):
    src = ".intel_syntax noprefix\n" + asm.replace("; ", "\n") + "\n"
    with tempfile.TemporaryDirectory() as d:
        obj, raw = os.path.join(d, "a.o"), os.path.join(d, "a.bin")
        subprocess.run(["llvm-mc-22", "--triple=x86_64", "-filetype=obj", "-o", obj], input=src, text=True, check=True)
        subprocess.run(["llvm-objcopy-22", "-O", "binary", "--only-section=.text", obj, raw], check=True)
        return " ".join(f"{b:02x}" for b in open(raw, "rb").read())

def flags_sub(a, b, bits):
    m = (1 << bits) - 1; a &= m; b &= m; r = (a - b) & m
    return dict(CF=a < b, ZF=r == 0, SF=bool(r >> (bits - 1)), OF=bool(((a ^ b) & (a ^ r)) >> (bits - 1)), PF=bin(r & 0xff).count("1") % 2 == 0)

def flags_add(a, b, bits):
    m = (1 << bits) - 1; a &= m; b &= m; r = (a + b) & m
    return dict(CF=r < a, ZF=r == 0, SF=bool(r >> (bits - 1)), OF=bool((~(a ^ b) & (a ^ r)) >> (bits - 1)), PF=bin(r & 0xff).count("1") % 2 == 0)

def flags_logic(r, bits):
    m = (1 << bits) - 1; r &= m
    return dict(CF=False, ZF=r == 0, SF=bool(r >> (bits - 1)), OF=False, PF=bin(r & 0xff).count("1") % 2 == 0)

def flags_adc(a, b, cin, bits):
    m = (1 << bits) - 1; a &= m; b &= m; r = (a + b + cin) & m
    return dict(CF=a + b + cin > m, ZF=r == 0, SF=bool(r >> (bits - 1)), OF=bool((~(a ^ b) & (a ^ r)) >> (bits - 1)), PF=bin(r & 0xff).count("1") % 2 == 0)

def flags_sbb(a, b, cin, bits):
    m = (1 << bits) - 1; a &= m; b &= m; r = (a - b - cin) & m
    return dict(CF=a < b + cin, ZF=r == 0, SF=bool(r >> (bits - 1)), OF=bool(((a ^ b) & (a ^ r)) >> (bits - 1)), PF=bin(r & 0xff).count("1") % 2 == 0)

def shift(op, a, count, bits):
    """Intel SDM SAL/SAR/SHL/SHR: (result, flags); None marks an undefined flag; count 0 leaves the flags alone (None here)."""
    m = (1 << bits) - 1; a &= m
    count &= 63 if bits == 64 else 31
    if count == 0: return a, None
    signed = a - (1 << bits) if a >> (bits - 1) else a
    if op == "shl":
        r = (a << count) & m; cf = bool((a >> (bits - count)) & 1) if count <= bits else None
    elif op == "shr":
        r = a >> count if count < bits else 0; cf = bool((a >> (count - 1)) & 1) if count <= bits else None
    else:
        r = (signed >> count) & m; cf = bool((signed >> (count - 1)) & 1) if count <= bits else None
    of = None
    if count == 1:
        of = (bool(r >> (bits - 1)) != cf) if op == "shl" else (bool(a >> (bits - 1)) if op == "shr" else False)
    return r, dict(CF=cf, ZF=r == 0, SF=bool(r >> (bits - 1)), OF=of, PF=bin(r & 0xff).count("1") % 2 == 0)

def flags_mul(a, b, bits, signed):
    """imul/mul: CF = OF = the product does not fit the destination; SF, ZF and PF are undefined."""
    def s(v): return v - (1 << bits) if v >> (bits - 1) else v
    p = s(a) * s(b) if signed else a * b
    fits = -(1 << (bits - 1)) <= p < (1 << (bits - 1)) if signed else p < (1 << bits)
    return p, dict(CF=not fits, OF=not fits, ZF=None, SF=None, PF=None)

CC = {
    "o": lambda f: f["OF"], "no": lambda f: not f["OF"], "b": lambda f: f["CF"], "ae": lambda f: not f["CF"],
    "e": lambda f: f["ZF"], "ne": lambda f: not f["ZF"], "be": lambda f: f["CF"] or f["ZF"], "a": lambda f: not (f["CF"] or f["ZF"]),
    "s": lambda f: f["SF"], "ns": lambda f: not f["SF"], "p": lambda f: f["PF"], "np": lambda f: not f["PF"],
    "l": lambda f: f["SF"] != f["OF"], "ge": lambda f: f["SF"] == f["OF"], "le": lambda f: f["ZF"] or f["SF"] != f["OF"],
    "g": lambda f: not f["ZF"] and f["SF"] == f["OF"],
}

def outcome(cc, f):
    """The branch direction under flags f, or None when it reads a flag that is undefined (None)."""
    reads = {"o": "OF", "no": "OF", "b": "CF", "ae": "CF", "e": "ZF", "ne": "ZF", "be": "CF ZF", "a": "CF ZF", "s": "SF", "ns": "SF",
             "p": "PF", "np": "PF", "l": "SF OF", "ge": "SF OF", "le": "ZF SF OF", "g": "ZF SF OF"}[cc].split()
    if cc in ("be", "a") and (f["CF"] is True or f["ZF"] is True): return cc == "be"
    if cc in ("le", "g") and f["ZF"] is True: return cc == "le"
    if any(f[r] is None for r in reads): return None
    return CC[cc](f)

M64 = (1 << 64) - 1
PAIRS = [(8, 4), (4, 8), (5, 5), (0x7FFFFFFFFFFFFFFF, M64), (0x8000000000000000, 1), (M64, 1), (3, 0), (0, 0), (0x80000000, 1), (0x7FFFFFFF, M64)]

rows = []
def row(asm, regs, status, evidence="-"):
    rows.append(f"{asm} | {assemble(asm)} | {' '.join(f'{k}={v:#x}' for k, v in regs.items())} | {status} | {evidence}")

for cc, pred in CC.items():
    # cmp rdx, rsi (64-bit) taken to the trap, and the same compare at 32 bits.
    for bits, asm in ((64, f"cmp rdx, rsi; j{cc} 1f; ret; 1: ud2"), (32, f"cmp edx, esi; j{cc} 1f; ret; 1: ud2")):
        seen = set()
        for a, b in PAIRS:
            taken = pred(flags_sub(a, b, bits))
            if taken in seen: continue
            seen.add(taken)
            row(asm, {"rdx": a, "rsi": b}, "Holds" if taken else "DoesNotHold")
    # The inverted form: the trap is the fall-through of the branch.
    seen = set()
    for a, b in PAIRS:
        taken = pred(flags_sub(a, b, 64))
        if taken in seen: continue
        seen.add(taken)
        row(f"cmp rdx, rsi; j{cc} 1f; ud2; 1: ret", {"rdx": a, "rsi": b}, "DoesNotHold" if taken else "Holds")
    # test eax, eax and an 8-bit test.
    seen = set()
    for v in (0, 1, 0x80000000, 3):
        taken = pred(flags_logic(v, 32))
        if taken in seen: continue
        seen.add(taken)
        row(f"test eax, eax; j{cc} 1f; ret; 1: ud2", {"rax": v}, "Holds" if taken else "DoesNotHold")

# Destructive flag setters: the live register holds the result.
for a, b in ((4, 8), (8, 4)):
    r = (a - b) & M64
    row("sub rdx, rsi; jb 1f; ret; 1: ud2", {"rdx": r, "rsi": b}, "Holds" if flags_sub(a, b, 64)["CF"] else "DoesNotHold")
    r = (a + b) & M64
    row("add rdx, rsi; jo 1f; ret; 1: ud2", {"rdx": r, "rsi": b}, "Holds" if flags_add(a, b, 64)["OF"] else "DoesNotHold")
for a in (0x7FFFFFFF, 5):
    row("add ecx, 1; jo 1f; ret; 1: ud2", {"rcx": (a + 1) & 0xFFFFFFFF}, "Holds" if flags_add(a, 1, 32)["OF"] else "DoesNotHold")
    row("inc ecx; jo 1f; ret; 1: ud2", {"rcx": (a + 1) & 0xFFFFFFFF}, "Holds" if flags_add(a, 1, 32)["OF"] else "DoesNotHold")
for a in (0x80000000, 7):
    row("dec ecx; jo 1f; ret; 1: ud2", {"rcx": (a - 1) & 0xFFFFFFFF}, "Holds" if flags_sub(a, 1, 32)["OF"] else "DoesNotHold")
    row("neg ecx; jo 1f; ret; 1: ud2", {"rcx": (-a) & 0xFFFFFFFF}, "Holds" if flags_sub(0, a, 32)["OF"] else "DoesNotHold")
for v in (0xF0, 0x0F):
    row("and eax, 0xf0; jne 1f; ret; 1: ud2", {"rax": v & 0xF0}, "Holds" if v & 0xF0 else "DoesNotHold")
    row("test al, 0xf0; jne 1f; ret; 1: ud2", {"rax": v}, "Holds" if v & 0xF0 else "DoesNotHold")
for v, bit in ((0b100, 2), (0b100, 1)):
    row("bt rax, rcx; jb 1f; ret; 1: ud2", {"rax": v, "rcx": bit}, "Holds" if (v >> bit) & 1 else "DoesNotHold")
# Compare with an immediate, through a trampoline jmp, and with a mov that does not touch the operands.
row("cmp ecx, 5; ja 1f; ret; 1: jmp 2f; int3; 2: ud2", {"rcx": 9}, "Holds", "ecx = 9 > 5 (unsigned)")
row("cmp ecx, 5; ja 1f; ret; 1: mov eax, 1; ud2", {"rcx": 3}, "DoesNotHold", "ecx = 3 ≤ 5 (unsigned)")
row("cmp rdx, rsi; jae 1f; ret; 1: ud2", {"rdx": 8, "rsi": 4}, "Holds", "rdx = 8 ≥ rsi = 4 (unsigned)")
row("cmp edi, -1; jl 1f; ret; 1: ud2", {"rdi": 0xFFFFFFFE}, "Holds", "edi = -2 < -1 (signed)")
# Undecidable: the path to the trap overwrites an operand; flags set in another block.
row("cmp rdx, rsi; jae 1f; ret; 1: xor edx, edx; ud2", {"rdx": 0, "rsi": 4}, "Unknown", "rdx is overwritten")
row("cmp rdx, rsi; mov rsi, 1; jae 1f; ret; 1: ud2", {"rdx": 8, "rsi": 1}, "Unknown", "rsi is overwritten")
row("imul rdx, rsi; jo 1f; ret; 1: ud2", {"rdx": 32, "rsi": 4}, "Unknown", "overwrote")

def status(taken):
    return "Unknown" if taken is None else "Holds" if taken else "DoesNotHold"

# adc/sbb: the destination holds the result and the carry they read came from earlier code, so the row's answer is the
# one both possible carries give, or Unknown when they disagree.
for op, model in (("adc", flags_adc), ("sbb", flags_sbb)):
    for cc in ("o", "b", "e", "s", "l", "a"):
        for a, b, cin in ((0x7FFFFFFF, 0, 1), (5, 3, 0), (0xFFFFFFFF, 0, 1), (0, 0, 0), (0x80000000, 0, 1), (2, 7, 1)):
            truth = outcome(cc, model(a, b, cin, 32))
            r = (a + b + cin if op == "adc" else a - b - cin) & 0xFFFFFFFF
            seen = set()
            for guess in (0, 1):
                before = (r - b - guess if op == "adc" else r + b + guess) & 0xFFFFFFFF
                seen.add(outcome(cc, model(before, b, guess, 32)))
            row(f"{op} edx, esi; j{cc} 1f; ret; 1: ud2", {"rdx": r, "rsi": b}, status(truth) if len(seen) == 1 else "Unknown")
# sbb of a register from itself leaves 0 or -1: the carry it read is in the result.
for cin in (0, 1):
    for cc in ("b", "e", "s", "o"):
        row(f"sbb eax, eax; j{cc} 1f; ret; 1: ud2", {"rax": (-cin) & 0xFFFFFFFF}, status(outcome(cc, flags_sbb(7, 7, cin, 32))))
# Shifts: ZF, SF and PF follow from the result alone; the carry (the last bit shifted out) left with the operand, so a branch
# on CF stays Unknown; OF is defined for a 1-bit shr (the operand's old top bit, now bit n-2) and sar (0) only.
for op in ("shl", "shr", "sar"):
    for cc in ("e", "ne", "s", "p", "b", "o", "no", "l", "g"):
        for a, count in ((0x80000001, 1), (0x40000000, 1), (0x12345678, 4), (0xF0000000, 31), (1, 0), (0x8000, 16)):
            r, f = shift(op, a, count, 32)
            if f is None:
                expected = "Unknown"  # a shift by 0 leaves the flags of earlier code
            else:
                knowable = dict(f, CF=None, OF=f["OF"] if count == 1 and op != "shl" else None)
                expected = status(outcome(cc, f)) if outcome(cc, knowable) is not None else "Unknown"
            row(f"{op} eax, {count}; j{cc} 1f; ret; 1: ud2", {"rax": r}, expected)
            if count not in (0, 1):
                row(f"{op} eax, cl; j{cc} 1f; ret; 1: ud2", {"rax": r, "rcx": count}, expected)
# imul/mul: CF = OF = overflow, the rest undefined. The one-operand form leaves the whole product in rdx:rax and the
# three-operand form keeps its source, so both replay; the two-operand form overwrote its first factor.
for cc in ("o", "no", "b", "e", "s"):
    for a, b in ((65536, 65536), (3, -4), (0x40000000, 2), (-0x80000000, 1), (46341, 46341), (-46341, 46341)):
        a &= 0xFFFFFFFF; b &= 0xFFFFFFFF
        p, f = flags_mul(a, b, 32, True)
        row(f"imul ecx, esi, {b if b < 0x80000000 else b - (1 << 32)}; j{cc} 1f; ret; 1: ud2", {"rcx": p & 0xFFFFFFFF, "rsi": a}, status(outcome(cc, f)))
        row(f"imul esi; j{cc} 1f; ret; 1: ud2", {"rax": p & 0xFFFFFFFF, "rdx": (p >> 32) & 0xFFFFFFFF, "rsi": b}, status(outcome(cc, f)))
        pu, fu = flags_mul(a, b, 32, False)
        row(f"mul esi; j{cc} 1f; ret; 1: ud2", {"rax": pu & 0xFFFFFFFF, "rdx": (pu >> 32) & 0xFFFFFFFF, "rsi": b}, status(outcome(cc, fu)))
        row(f"imul ecx, esi; j{cc} 1f; ret; 1: ud2", {"rcx": p & 0xFFFFFFFF, "rsi": b}, "Unknown")
for a, b in ((0x7FFFFFFFFFFFFFFF, 2), (5, 6)):
    p, f = flags_mul(a, b, 64, True)
    row("imul rsi; jo 1f; ret; 1: ud2", {"rax": p & M64, "rdx": (p >> 64) & M64, "rsi": b}, status(outcome("o", f)))
for a, b in ((16, 16), (100, 3)):
    p, f = flags_mul(a, b, 8, True)
    row("imul sil; jo 1f; ret; 1: ud2", {"rax": p & 0xFFFF, "rsi": b}, status(outcome("o", f)))

# ---- origins.txt: a small x86 model that runs the code from registers on entry to the ud2 ----
REG32 = {"eax": "rax", "ebx": "rbx", "ecx": "rcx", "edx": "rdx", "esi": "rsi", "edi": "rdi", "ebp": "rbp", "esp": "rsp",
         **{f"r{n}d": f"r{n}" for n in range(8, 16)}}

def disassemble(asm):
    """[(offset, mnemonic, [operands])] of the assembled code, from llvm-objdump-22 (Intel syntax)."""
    src = ".intel_syntax noprefix\n" + asm.replace("; ", "\n") + "\n"
    with tempfile.TemporaryDirectory() as d:
        obj = os.path.join(d, "a.o")
        subprocess.run(["llvm-mc-22", "--triple=x86_64", "-filetype=obj", "-o", obj], input=src, text=True, check=True)
        text = subprocess.run(["llvm-objdump-22", "-d", "-M", "intel", "--no-show-raw-insn", obj], capture_output=True, text=True, check=True).stdout
    out = []
    for line in text.splitlines():
        m = re.match(r"\s+([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
        if not m: continue
        operands = [o.strip() for o in re.sub(r"<.*>", "", m.group(3)).split(",") if o.strip()]
        out.append((int(m.group(1), 16), m.group(2), operands))
    return out

def run(asm, regs):
    """Runs the code from offset 0; returns (registers and rflags at the ud2, branches executed, the branch that reached it)."""
    code = disassemble(asm)
    at = {off: k for k, (off, _, _) in enumerate(code)}
    regs = dict(regs); flags = dict(CF=False, ZF=False, SF=False, OF=False, PF=False)
    def get(o):
        if o in REG32: return regs.get(REG32[o], 0) & 0xFFFFFFFF, 32
        if o in regs or re.fullmatch(r"r[a-z0-9]+", o): return regs.get(o, 0), 64
        return int(o, 0), None
    def put(o, v, bits):
        regs[REG32.get(o, o)] = v & ((1 << bits) - 1)
    k, executed, last = 0, [], None
    for _ in range(100):
        off, mn, ops = code[k]
        nxt = k + 1
        if mn == "ud2":
            rflags = 2 | flags["CF"] | flags["PF"] << 2 | flags["ZF"] << 6 | flags["SF"] << 7 | flags["OF"] << 11
            return dict(regs, rflags=rflags), executed, last
        if mn == "ret": raise ValueError(f"{asm}: returned instead of trapping")
        if mn.startswith("j"):
            target = at[int(ops[0], 16)]
            if mn == "jmp": nxt = target
            else:
                executed.append(off); taken = CC[mn[1:]](flags)
                if taken: nxt = target
                last = off
        else:
            a, bits = get(ops[0]); b, _ = get(ops[1]) if len(ops) > 1 else (0, None)
            if mn == "mov": put(ops[0], b, bits)
            elif mn == "cmp": flags = flags_sub(a, b, bits)
            elif mn == "test": flags = flags_logic(a & b, bits)
            elif mn == "sub": flags = flags_sub(a, b, bits); put(ops[0], a - b, bits)
            elif mn == "add": flags = flags_add(a, b, bits); put(ops[0], a + b, bits)
            elif mn in ("and", "or", "xor"):
                r = a & b if mn == "and" else a | b if mn == "or" else a ^ b
                flags = flags_logic(r, bits); put(ops[0], r, bits)
            elif mn in ("shl", "shr", "sar"):
                r, f = shift(mn, a, b, bits); put(ops[0], r, bits)
                if f: flags = {n: bool(v) for n, v in f.items()}
            else: raise ValueError(f"{mn} is not modelled")
        k = nxt
    raise ValueError(f"{asm}: no trap within 100 steps")

def origin_row(asm, regs):
    state, executed, fired = run(asm, regs)
    code = disassemble(asm)
    trap = next(off for off, mn, _ in code if mn == "ud2")
    branches = [off for off, mn, ops in code if mn.startswith("j") and mn != "jmp"]
    not_run = [b for b in branches if b not in executed]
    origins.append(f"{asm} | {assemble(asm)} | {' '.join(f'{k}={v:#x}' for k, v in state.items())} | {fired:#x} | "
                   + (" ".join(f"{b:#x}" for b in not_run) or "-"))

origins = []
# Clang's `count == 0 || ptr != nullptr` (libc++'s span constructor) then an index check, all into one ud2: the second half
# of the compound check runs only when the first half falls through.
OR_THEN_INDEX = "test rax, rax; jne 1f; test rcx, rcx; jne 2f; 1: cmp rsi, rcx; jae 2f; shl rsi, 4; ret; 2: ud2"
origin_row(OR_THEN_INDEX, {"rax": 0x5000, "rcx": 3, "rsi": 10})
origin_row(OR_THEN_INDEX, {"rax": 0, "rcx": 3, "rsi": 1})
origin_row(OR_THEN_INDEX, {"rax": 0x5000, "rcx": 0, "rsi": 0})
# `a && b` guarding a check, and the same with the trap on the fall-through side.
AND_GUARD = "test rdi, rdi; je 1f; cmp rcx, 5; ja 2f; 1: cmp rsi, rcx; jae 2f; ret; 2: ud2"
origin_row(AND_GUARD, {"rdi": 0, "rcx": 9, "rsi": 12})
origin_row(AND_GUARD, {"rdi": 1, "rcx": 9, "rsi": 1})
origin_row(AND_GUARD, {"rdi": 1, "rcx": 2, "rsi": 7})
FALL = "test rax, rax; jne 1f; cmp rcx, 1; jb 3f; ud2; 1: cmp rsi, rcx; jb 3f; ud2; 3: ret"
origin_row(FALL.replace("ud2; 1:", "jmp 2f; 1:").replace("ud2; 3:", "2: ud2; 3:"), {"rax": 1, "rcx": 3, "rsi": 10})
origin_row(FALL.replace("ud2; 1:", "jmp 2f; 1:").replace("ud2; 3:", "2: ud2; 3:"), {"rax": 0, "rcx": 5, "rsi": 1})
# A trampoline jmp between the guard and the guarded check; a guard two blocks up.
TRAMPOLINE = "cmp edx, 4; jb 1f; jmp 3f; 1: test rcx, rcx; jne 2f; 3: cmp rsi, 8; jae 2f; ret; 2: ud2"
origin_row(TRAMPOLINE, {"rdx": 9, "rcx": 1, "rsi": 8})
origin_row(TRAMPOLINE, {"rdx": 1, "rcx": 1, "rsi": 0})
CHAIN = "test rdi, rdi; je 1f; mov eax, 1; cmp edx, 3; ja 1f; test rcx, rcx; jne 2f; 1: cmp rsi, 8; jae 2f; ret; 2: ud2"
origin_row(CHAIN, {"rdi": 0, "rdx": 0, "rcx": 5, "rsi": 9})
origin_row(CHAIN, {"rdi": 1, "rdx": 7, "rcx": 5, "rsi": 9})
origin_row(CHAIN, {"rdi": 1, "rdx": 1, "rcx": 5, "rsi": 1})
# A constant left on the way to the trap that the live register does not hold rules the way out, even where it also
# overwrites the operand of the guarding compare.
ZEROED_GUARD = "test rax, rax; jne 1f; xor eax, eax; test rcx, rcx; jne 2f; 1: cmp rsi, rcx; jae 2f; ret; 2: ud2"
origin_row(ZEROED_GUARD, {"rax": 5, "rcx": 3, "rsi": 10})
origin_row(ZEROED_GUARD, {"rax": 0, "rcx": 3, "rsi": 1})
PADS = "cmp rdx, rsi; jae 1f; cmp rcx, 8; jae 2f; ret; 1: mov edi, 1; jmp 3f; 2: mov edi, 2; 3: ud2"
origin_row(PADS, {"rdx": 9, "rsi": 4, "rcx": 9, "rdi": 0})
origin_row(PADS, {"rdx": 1, "rsi": 4, "rcx": 9, "rdi": 0})

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "origins.txt"), "w") as out:
    out.write("# Generated by generate-conditions.py: a function at 0x1000 whose checks share the ud2; registers are those at the ud2.\n")
    out.write("# assembly | bytes | registers and rflags at the trap | offset of the branch that reached the trap | offsets of branches that never ran (- for none)\n")
    for r in origins: out.write(r + "\n")
with open(os.path.join(here, "conditions.txt"), "w") as out:
    out.write("# Generated by generate-conditions.py: a function at 0x1000 whose branch reaches the ud2 at its end.\n")
    out.write("# assembly | bytes | registers | expected condition status of the branch | evidence substring (- for none)\n")
    for r in rows: out.write(r + "\n")
