#!/usr/bin/env python3
"""Writes conditions.txt: small functions whose conditional branch reaches a ud2, with register states and the expected
condition status. The expected status comes from this file's own model of the x86 flags (independent of the C# code);
the bytes come from llvm-mc-22. Run: python3 generate-conditions.py > conditions.txt"""
import os, subprocess, tempfile

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

CC = {
    "o": lambda f: f["OF"], "no": lambda f: not f["OF"], "b": lambda f: f["CF"], "ae": lambda f: not f["CF"],
    "e": lambda f: f["ZF"], "ne": lambda f: not f["ZF"], "be": lambda f: f["CF"] or f["ZF"], "a": lambda f: not (f["CF"] or f["ZF"]),
    "s": lambda f: f["SF"], "ns": lambda f: not f["SF"], "p": lambda f: f["PF"], "np": lambda f: not f["PF"],
    "l": lambda f: f["SF"] != f["OF"], "ge": lambda f: f["SF"] == f["OF"], "le": lambda f: f["ZF"] or f["SF"] != f["OF"],
    "g": lambda f: not f["ZF"] and f["SF"] == f["OF"],
}

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
row("imul rdx, rsi; jo 1f; ret; 1: ud2", {"rdx": 8, "rsi": 4}, "Unknown", "not a compare")

print("# Generated by generate-conditions.py: a function at 0x1000 whose branch reaches the ud2 at its end.")
print("# assembly | bytes | registers | expected condition status of the branch | evidence substring (- for none)")
for r in rows: print(r)
