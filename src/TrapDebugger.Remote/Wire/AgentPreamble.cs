using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace TrapDebugger.Remote.Wire;

/// <summary>The line a TCP client sends before its first message: the network gate reads a first line to refuse HTTP
/// requests, and binary frames have no line of their own, so the agent's protocol starts with one.</summary>
public static class AgentPreamble
{
    /// <summary>The preamble's text, newline included.</summary>
    public const string Text = "trapdbg-agent 1\n";

    /// <summary>The preamble's bytes.</summary>
    public static ReadOnlyMemory<byte> Bytes { get; } = Encoding.ASCII.GetBytes(Text);

    /// <summary>Reads the first line from <paramref name="input"/>; true when it is the preamble.</summary>
    public static async Task<bool> AcceptAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = buffer.Slice(0, buffer.GetPosition(1, end));
                bool matches = line.Length == Bytes.Length && line.ToArray().AsSpan().SequenceEqual(Bytes.Span);
                input.AdvanceTo(line.End);
                return matches;
            }
            if (buffer.Length >= Bytes.Length || result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                return false;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
