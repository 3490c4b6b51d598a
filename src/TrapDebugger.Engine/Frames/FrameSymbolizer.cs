using TrapDebugger.Dwarf;
using TrapDebugger.Elf.Demangling;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Unwinding;

namespace TrapDebugger.Engine.Frames;

/// <summary>Turns machine frames into the frames the user sees: names from DWARF (else ELF symbols, demangled), source
/// positions, and one extra frame per inlined call.</summary>
public sealed class FrameSymbolizer(Target target)
{
    /// <summary>The user-visible frames of machine frame <paramref name="physical"/>, innermost first.</summary>
    /// <param name="physical">The machine frame.</param>
    /// <param name="threadId">The owning thread.</param>
    /// <param name="firstIndex">The index the first returned frame gets.</param>
    /// <param name="nextId">Allocates frame ids.</param>
    /// <param name="stoppedAtCall">For a thread stopped at the entry of inlined calls made from this source line: the
    /// frames of those calls (and what they inline) are left out, so the innermost frame is the caller at the call.</param>
    public IReadOnlyList<StackFrame> Expand(PhysicalFrame physical, int threadId, int firstIndex, Func<int> nextId, SourceLocation? stoppedAtCall = null)
    {
        var module = target.ModuleAt(physical.LookupPc);
        var result = new List<StackFrame>();
        AddressLookup? lookup = null;
        if (module?.Symbols is { } symbols)
        {
            try
            {
                lookup = symbols.Lookup(module.ToFileAddress(physical.LookupPc));
            }
            catch (InvalidDataException)
            {
                lookup = null;
            }
        }
        if (lookup is { Frames.Count: > 0 } l)
        {
            int hidden = 0;
            if (stoppedAtCall is not null)
            {
                for (int k = 0; k < l.Frames.Count - 1; k++)
                {
                    if (l.Frames[k].CallSite is { } site && site.Line == stoppedAtCall.Line && site.File == stoppedAtCall.File)
                    {
                        hidden = k + 1;
                        break;
                    }
                }
            }
            for (int i = hidden; i < l.Frames.Count; i++)
            {
                var f = l.Frames[i];
                var isLast = i == l.Frames.Count - 1;
                string name = FunctionName(f, isLast ? lookup.Symbol?.Name : null);
                result.Add(new StackFrame
                {
                    Id = nextId(),
                    ThreadId = threadId,
                    Index = firstIndex + i - hidden,
                    Physical = physical,
                    InlineDepth = i,
                    IsInlined = f.IsInlined,
                    Name = name,
                    Location = f.Location is { Line: > 0 } or { File: not null } ? f.Location : null,
                    Module = module,
                    FunctionDie = f.Die,
                    IsArtificial = IsArtificial(f.Die),
                });
            }
            return result;
        }
        // No DWARF: the ELF symbol (demangled), then the bare address.
        string fallback = module?.SymbolAt(physical.LookupPc) is { } sym ? Demangle(sym.Name) : $"0x{physical.Pc:x16}";
        result.Add(new StackFrame
        {
            Id = nextId(),
            ThreadId = threadId,
            Index = firstIndex,
            Physical = physical,
            InlineDepth = 0,
            IsInlined = false,
            Name = fallback,
            Location = lookup?.Line is { Line: > 0 } line ? line : null,
            Module = module,
        });
        return result;
    }

    private static string FunctionName(InlineFrame frame, string? elfSymbol)
    {
        if (frame.QualifiedName is { } q) return q;
        if (frame.Name is { } n) return n;
        if (frame.LinkageName is { } link) return Demangle(link);
        return elfSymbol is null ? "??" : Demangle(elfSymbol);
    }

    private static bool IsArtificial(DwarfDie die)
    {
        var d = die;
        for (int hops = 0; hops < 4; hops++)
        {
            if (d.Find(DwarfAttribute.Artificial)?.AsFlag() == true) return true;
            if (d.Reference(DwarfAttribute.AbstractOrigin) is not { } origin || origin == d) return false;
            d = origin;
        }
        return false;
    }

    /// <summary>Demangles an Itanium or Rust symbol; returns the input unchanged when it is not mangled.</summary>
    public static string Demangle(string name)
    {
        try
        {
            return Demangler.TryDemangle(name) ?? name;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException)
        {
            return name;
        }
    }
}
