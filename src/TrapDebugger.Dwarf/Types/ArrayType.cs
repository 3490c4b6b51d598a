namespace TrapDebugger.Dwarf.Types;

/// <summary>A C array (DW_TAG_array_type with one DW_TAG_subrange_type per dimension).</summary>
public sealed class ArrayType : DwarfType
{
    /// <inheritdoc/>
    public override DwarfTypeKind Kind => DwarfTypeKind.Array;

    /// <summary>The element type.</summary>
    public required DwarfType? Element { get; init; }

    /// <summary>The element count of each dimension, outermost first; null for an unknown bound (flexible array, <c>T[]</c>).</summary>
    public required IReadOnlyList<ulong?> Dimensions { get; init; }

    /// <summary>The element count of the outermost dimension, or null when unknown.</summary>
    public ulong? Count => Dimensions.Count > 0 ? Dimensions[0] : null;

    /// <summary>The type of one element of the outermost dimension: the element type, or an array of the inner dimensions.</summary>
    public DwarfType? Inner => Dimensions.Count <= 1
        ? Element
        : new ArrayType { Element = Element, Dimensions = Dimensions.Skip(1).ToArray(), Language = Language };

    /// <inheritdoc/>
    public override ulong ByteSize
    {
        get
        {
            ulong size = Element?.ByteSize ?? 0;
            foreach (var d in Dimensions)
            {
                if (d is not { } n) return 0;
                size *= n;
            }
            return size;
        }
        init { }
    }
}
