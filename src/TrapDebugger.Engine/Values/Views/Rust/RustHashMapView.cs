using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Rust;

/// <summary><c>HashMap&lt;K, V&gt;</c> and <c>HashSet&lt;T&gt;</c> over hashbrown's <c>RawTable&lt;T&gt;</c>: one control byte per
/// bucket (high bit clear when the bucket is full), and bucket <c>i</c>'s element stored just below the control bytes,
/// at <c>ctrl - (i + 1) * size_of::&lt;T&gt;()</c>. A map shows its <c>(key, value)</c> tuples, a set its keys, in bucket
/// order as lldb lists them.</summary>
internal sealed class RustHashMapView : SequenceView
{
    // The largest table walked: bucket counts are powers of two, and more than this is memory that is not a table.
    private const ulong MaxBuckets = 1UL << 28;
    private const int ControlChunk = 1 << 16;

    private readonly DwarfType _bucketType;
    private readonly ulong _control;
    private readonly int[] _full;
    private readonly bool _keysOnly;
    private readonly ulong? _capacity;

    private RustHashMapView(DwarfLanguage language, DwarfType bucketType, ulong control, int[] full, bool keysOnly, ulong? capacity)
        : base(language, full.Length)
    {
        _bucketType = bucketType;
        _control = control;
        _full = full;
        _keysOnly = keysOnly;
        _capacity = capacity;
    }

    /// <summary>The view of a hash map or set, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        if (Members.OfTypeNamed(value, "hashbrown::raw::RawTable<") is not { } table
            || Members.TypeArgument(table.Canonical, 0) is not { } bucketType
            || Members.Find(table, "bucket_mask") is not { } mask || Members.Find(table, "items") is not { } items
            || Members.Find(table, "ctrl") is not { } ctrl || (ctrl.Canonical is PointerType ? ctrl : Members.FirstPointer(ctrl)) is not { } control)
            return null;
        ulong itemCount = items.GetRawInteger(memory);
        ulong buckets = mask.GetRawInteger(memory) + 1;
        ulong controlAddress = control.GetRawInteger(memory);
        if (buckets > MaxBuckets || itemCount > buckets)
            throw new ValueException($"the hash table claims {itemCount} items in {buckets} buckets; it is not initialized or is corrupt");
        var full = new List<int>((int)itemCount);
        // An empty table points at a static group of EMPTY bytes with bucket_mask 0: nothing to scan.
        if (itemCount > 0)
        {
            var chunk = new byte[(int)Math.Min(buckets, ControlChunk)];
            for (ulong at = 0; at < buckets && full.Count < (int)itemCount; at += (ulong)chunk.Length)
            {
                int n = (int)Math.Min((ulong)chunk.Length, buckets - at);
                if (memory.Read(controlAddress + at, chunk.AsSpan(0, n)) < n)
                    throw new ValueException($"cannot read the hash table's control bytes at 0x{controlAddress + at:x}");
                for (int i = 0; i < n; i++)
                {
                    if ((chunk[i] & 0x80) == 0) full.Add((int)at + i);
                }
            }
        }
        var name = value.Canonical.Name ?? "";
        bool set = name.Contains("::HashSet<", StringComparison.Ordinal);
        // What the table can hold before it grows: the items it has and the room it has left.
        ulong? capacity = Members.Find(table, "growth_left") is { } growth ? itemCount + growth.GetRawInteger(memory) : null;
        return new RustHashMapView(value.Canonical.Language, bucketType, controlAddress, [.. full.Take((int)itemCount)], set, capacity);
    }

    /// <inheritdoc/>
    protected override DebugValue ElementAt(long index)
    {
        ulong size = _bucketType.Canonical.ByteSize;
        var bucket = DebugValue.InMemory(_bucketType, _control - (ulong)(_full[index] + 1) * size);
        // A set is a map to (): its bucket is the tuple (key, ()), of which the key is the element.
        if (_keysOnly && bucket.Canonical is CompositeType && bucket.Member("__0") is { } key) return key;
        return bucket;
    }

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name == "capacity" && _capacity is { } capacity
        ? DebugValue.FromInteger(BuiltinTypes.RustUsize, (long)capacity)
        : base.Method(name);
}
