using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace TrapDebugger.Cli.Rendering;

/// <summary>Standard output and error writers that put on a terminal exactly the bytes they are given, and the terminal's width.</summary>
/// <remarks>.NET's console initialises the terminal the first time it writes to it or asks its size while standard output is
/// one: it switches it into keypad-transmit mode (ESC [?1h ESC =, undone at exit), a sequence nobody asked trapdbg for, which
/// stays behind if trapdbg is killed and lands in every captured session. Writing to the file descriptors directly and asking
/// the kernel for the size never does that.</remarks>
public static partial class TerminalWriters
{
    private const ulong TIOCGWINSZ = 0x5413;

    /// <summary>The number of columns of the terminal on standard output, or null when it is not a terminal.</summary>
    public static int? Width => Size() is { Columns: > 0 } size ? size.Columns : null;

    /// <summary>The number of rows of the terminal on standard output, or null when it is not a terminal.</summary>
    public static int? Height => Size() is { Rows: > 0 } size ? size.Rows : null;

    private static WindowSize? Size() => !Console.IsOutputRedirected && GetWindowSize(1, TIOCGWINSZ, out var size) == 0 ? size : null;

    /// <summary>When standard output is a terminal, replaces <see cref="Console.Out"/> and <see cref="Console.Error"/> with plain
    /// writers on file descriptors 1 and 2 (a pipe or a file keeps .NET's writers, which also absorb a closed pipe).</summary>
    public static void Install()
    {
        if (Console.IsOutputRedirected) return;
        if (Open(1) is { } output) Console.SetOut(output);
        if (Open(2) is { } error) Console.SetError(error);
    }

    private static TextWriter? Open(int descriptor)
    {
        try
        {
            var stream = new FileStream(new SafeFileHandle(descriptor, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            return TextWriter.Synchronized(new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 4096, leaveOpen: true)
            {
                AutoFlush = true,
            });
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // A closed or odd descriptor: .NET's writer copes with it.
            return null;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WindowSize
    {
        public ushort Rows; // ws_row
        public ushort Columns; // ws_col
        public ushort XPixels; // ws_xpixel
        public ushort YPixels; // ws_ypixel
    }

    [LibraryImport("libc", EntryPoint = "ioctl")]
    private static partial int GetWindowSize(int descriptor, ulong request, out WindowSize size);
}
