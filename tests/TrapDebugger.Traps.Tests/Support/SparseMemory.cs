namespace TrapDebugger.Traps.Tests.Support;

/// <summary>A process image made of byte blocks at addresses; reads outside every block return 0 bytes.</summary>
public sealed class SparseMemory : IByteSource
{
    private readonly List<(ulong Start, byte[] Bytes)> blocks = [];

    public SparseMemory Add(ulong start, byte[] bytes)
    {
        blocks.Add((start, bytes));
        return this;
    }

    public int Read(ulong address, Span<byte> buffer)
    {
        foreach (var (start, bytes) in blocks)
        {
            if (address < start || address >= start + (ulong)bytes.Length) continue;
            var offset = (int)(address - start);
            var n = Math.Min(buffer.Length, bytes.Length - offset);
            bytes.AsSpan(offset, n).CopyTo(buffer);
            return n;
        }
        return 0;
    }
}

/// <summary>A symbolizer for hand-made code: one function, no line information.</summary>
public sealed class OneFunctionSymbols(FunctionBounds function) : ISymbolizer
{
    public SymbolizedLocation? Symbolize(ulong address) =>
        address >= function.Start && address < function.End ? new SymbolizedLocation(function.Name, [new InlineFrame(function.Name, null)], null) : null;

    public FunctionBounds? FindFunction(ulong address) => address >= function.Start && address < function.End ? function : null;
}
