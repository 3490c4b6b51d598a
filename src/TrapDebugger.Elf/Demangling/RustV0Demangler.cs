namespace TrapDebugger.Elf.Demangling; internal static class RustV0Demangler { public static string? TryDemangle(string s) => null; }
