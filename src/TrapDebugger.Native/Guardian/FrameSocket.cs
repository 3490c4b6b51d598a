using System.Buffers.Binary;
using System.Net.Sockets;

namespace TrapDebugger.Native.Guardian;

/// <summary>One end of the guardian's Unix socket: whole messages out (from any thread, one at a time) and in (from one
/// reading thread), each a 4-byte little-endian length and that many bytes.</summary>
internal sealed class FrameSocket : IDisposable
{
    // A memory read or write is the largest message; nothing the protocol sends comes near this.
    private const int MaxMessage = 256 << 20;

    private readonly Socket socket;
    private readonly object sendGate = new();
    private readonly byte[] header = new byte[4];
    // What one receive brought beyond the bytes asked for: a message's length and body usually arrive together, and a
    // breakpoint question is answered sooner for one system call fewer on each side.
    private readonly byte[] received = new byte[64 << 10];
    private int receivedStart, receivedEnd;

    /// <summary>Takes ownership of the connected socket <paramref name="fd"/>.</summary>
    public FrameSocket(int fd) => socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));

    /// <summary>Sends one message built by <paramref name="message"/>; false when the other end is gone.</summary>
    public bool Send(WireWriter message)
    {
        var frame = message.Frame;
        lock (sendGate)
        {
            try
            {
                while (!frame.IsEmpty) frame = frame[socket.Send(frame)..];
                return true;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <summary>Waits for the next message; null when the other end closed the connection (or it broke).</summary>
    public byte[]? Receive()
    {
        try
        {
            if (!Fill(header)) return null;
            var length = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (length is < 0 or > MaxMessage) return null;
            var body = new byte[length];
            return Fill(body) ? body : null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Hands every message to <paramref name="dispatch"/> until the other end closes the connection or sends one
    /// that does not decode (<see cref="InvalidDataException"/>): either ends the conversation.</summary>
    public void ReceiveAll(Action<byte[]> dispatch)
    {
        while (Receive() is { } body)
        {
            try
            {
                dispatch(body);
            }
            catch (InvalidDataException)
            {
                return;
            }
        }
    }

    /// <summary>Ends both directions, which wakes a thread blocked in <see cref="Receive"/>.</summary>
    public void Shutdown()
    {
        try { socket.Shutdown(SocketShutdown.Both); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    public void Dispose() => socket.Dispose();

    private bool Fill(Span<byte> into)
    {
        while (!into.IsEmpty)
        {
            if (receivedStart == receivedEnd)
            {
                // A body larger than the buffer (a big memory read) is received in place rather than copied.
                var inPlace = into.Length >= received.Length;
                var n = inPlace ? socket.Receive(into) : socket.Receive(received);
                if (n <= 0) return false;
                if (inPlace)
                {
                    into = into[n..];
                    continue;
                }
                (receivedStart, receivedEnd) = (0, n);
            }
            var count = Math.Min(into.Length, receivedEnd - receivedStart);
            received.AsSpan(receivedStart, count).CopyTo(into);
            receivedStart += count;
            into = into[count..];
        }
        return true;
    }
}
