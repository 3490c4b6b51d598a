namespace TrapDebugger.Elf;

/// <summary>The one-letter symbol kind nm prints (T, t, D, B, R, W, w, V, v, U, u, i, A, C, N, n, ?).</summary>
public static class NmSymbolKind
{
    /// <summary>The letter llvm-nm prints for <paramref name="symbol"/> of <paramref name="file"/>; upper case means global.</summary>
    public static char Of(ElfFile file, ElfSymbol symbol)
    {
        bool global = symbol.Binding != ElfSymbolBinding.Local;
        // nm reports indirect functions and unique globals before it looks at weakness.
        if (!symbol.IsUndefined && symbol.Type == ElfSymbolType.GnuIndirectFunction) return 'i';
        if (!symbol.IsUndefined && symbol.Binding == ElfSymbolBinding.GnuUnique) return 'u';
        if (symbol.Binding == ElfSymbolBinding.Weak)
        {
            char weak = symbol.Type == ElfSymbolType.Object ? 'v' : 'w';
            return symbol.IsUndefined ? weak : char.ToUpperInvariant(weak);
        }
        if (symbol.IsUndefined) return 'U';
        if (symbol.IsCommon) return 'C';
        char letter = '?';
        if (symbol.IsAbsolute) letter = 'a';
        else if (symbol.SectionIndex < file.Sections.Count)
        {
            var s = file.Sections[symbol.SectionIndex];
            if (s.IsExecutable) letter = 't';
            else if (s.Type == ElfSectionType.NoBits) letter = 'b';
            else if (s.IsAllocated) letter = s.IsWritable ? 'd' : 'r';
            else if (s.Name.StartsWith(".debug", StringComparison.Ordinal)) letter = 'N';
            else if (!s.IsWritable) letter = 'n';
        }
        return global ? char.ToUpperInvariant(letter) : letter;
    }

    /// <summary>True for the symbols nm lists by default (not the null, section or file symbols).</summary>
    public static bool IsListed(ElfSymbol symbol) => symbol.Type is not (ElfSymbolType.Section or ElfSymbolType.File);
}
