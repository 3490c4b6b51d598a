using System.Threading.Channels;

namespace TrapDebugger.Remote.Client;

/// <summary>A read-only stream fed with the output the agent forwards from the program; it ends when the program's
/// stream ends or the connection goes.</summary>
internal sealed class OutputPipe : Stream
{
    private readonly Channel<byte[]> chunks = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private ReadOnlyMemory<byte> current;

    public void Write(byte[] data)
    {
        if (data.Length > 0)
            chunks.Writer.TryWrite(data);
    }

    public void Complete() => chunks.Writer.TryComplete();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (current.IsEmpty)
        {
            if (!await chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                return 0;
            if (chunks.Reader.TryRead(out var next))
                current = next;
        }
        int n = Math.Min(buffer.Length, current.Length);
        current[..n].CopyTo(buffer);
        current = current[n..];
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}
