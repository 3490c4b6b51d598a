using TrapDebugger.Remote.Contract;

namespace TrapDebugger.Remote.Client;

/// <summary>The memory of a remote process, read by whole pages in batched calls and cached until the process runs
/// again: a stop's backtrace, variables and diagnosis read the same few pages many times, and each read from afar is a
/// round trip.</summary>
internal sealed class RemoteMemory(AgentConnection connection) : ITargetMemory
{
    private const int PageSize = 4096;
    // A large read is fetched in one call, but not more than this many pages at once.
    private const int MaxPagesPerCall = 256;

    private readonly object gate = new();
    private readonly Dictionary<ulong, byte[]> pages = [];
    private long version;

    /// <inheritdoc/>
    public long Version => Interlocked.Read(ref version);

    /// <summary>How many calls reads have made to the agent (what a stop costs).</summary>
    public long Fetches => Interlocked.Read(ref fetches);

    private long fetches;

    /// <summary>Forgets every cached page: the process ran or was changed.</summary>
    public void Invalidate()
    {
        lock (gate) pages.Clear();
        Interlocked.Increment(ref version);
    }

    /// <summary>Caches pages the agent sent with a stop.</summary>
    public void Prefill(IEnumerable<WireMemory> chunks)
    {
        lock (gate)
        {
            foreach (var c in chunks)
                if (c.Address % PageSize == 0 && c.Requested == PageSize && c.Bytes is not null)
                    pages[c.Address] = c.Bytes;
        }
    }

    /// <inheritdoc/>
    public int Read(ulong address, Span<byte> buffer)
    {
        if (buffer.Length == 0)
            return 0;
        ulong first = address & ~(ulong)(PageSize - 1);
        ulong end = address + (ulong)buffer.Length;
        if (end < address)
            end = ulong.MaxValue;
        var missing = new List<ulong>();
        lock (gate)
        {
            for (ulong page = first; page < end && page >= first; page += PageSize)
            {
                if (!pages.ContainsKey(page))
                    missing.Add(page);
                if (page > ulong.MaxValue - PageSize)
                    break;
            }
        }
        if (missing.Count > 0)
            Fetch(missing);
        int done = 0;
        lock (gate)
        {
            while (done < buffer.Length)
            {
                ulong at = address + (ulong)done;
                ulong page = at & ~(ulong)(PageSize - 1);
                if (!pages.TryGetValue(page, out var bytes))
                    break;
                int offset = (int)(at - page);
                if (offset >= bytes.Length)
                    break;
                int n = Math.Min(bytes.Length - offset, buffer.Length - done);
                bytes.AsSpan(offset, n).CopyTo(buffer[done..]);
                done += n;
                if (bytes.Length < PageSize)
                    break;
            }
        }
        return done;
    }

    private void Fetch(List<ulong> missing)
    {
        for (int start = 0; start < missing.Count; start += MaxPagesPerCall)
        {
            var batch = missing.Skip(start).Take(MaxPagesPerCall).ToList();
            // Neighbouring pages travel as one range.
            var ranges = new List<WireRange>();
            foreach (var page in batch)
            {
                if (ranges.Count > 0 && ranges[^1].Address + (ulong)ranges[^1].Length == page)
                    ranges[^1].Length += PageSize;
                else
                    ranges.Add(new WireRange { Address = page, Length = PageSize });
            }
            Interlocked.Increment(ref fetches);
            byte[][] results;
            try
            {
                results = connection.GuardSync(() => connection.Agent.ReadMemoryAsync([.. ranges], CancellationToken.None));
            }
            catch (TargetException)
            {
                return;
            }
            lock (gate)
            {
                for (int i = 0; i < ranges.Count && i < results.Length; i++)
                {
                    var got = results[i] ?? [];
                    for (int p = 0; p * PageSize < ranges[i].Length; p++)
                    {
                        int from = p * PageSize;
                        int n = Math.Clamp(got.Length - from, 0, PageSize);
                        // A page past the readable end is cached empty: it reads as nothing until the process runs again.
                        pages[ranges[i].Address + (ulong)from] = n == 0 ? [] : got.AsSpan(from, n).ToArray();
                    }
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Write(ulong address, ReadOnlySpan<byte> data)
    {
        var bytes = data.ToArray();
        try
        {
            connection.GuardSync(async () =>
            {
                await connection.Agent.WriteMemoryAsync(address, bytes, CancellationToken.None).ConfigureAwait(false);
                return true;
            });
        }
        catch (TargetException e) when (e is not TargetMemoryException)
        {
            throw new TargetMemoryException(e.Message);
        }
        Invalidate();
    }
}
