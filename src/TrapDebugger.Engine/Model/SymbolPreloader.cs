using System.Threading.Channels;

namespace TrapDebugger.Engine.Model;

/// <summary>Reads modules' symbols, unit ranges and unwind tables ahead of the first stop, so the stop's backtrace
/// and diagnosis do not wait for them.</summary>
/// <remarks>
/// <para>glibc's separate debug file is compressed; reading it in the middle of the first trap was most of the first
/// trap-to-stopped time (measured in bench/dap); lldb pays the same cost while it attaches. Modules open their files
/// lazily and thread-safely: when a stop comes first, it waits for, or does, the same work, and nothing is read twice.</para>
/// <para>The reading runs on one thread of its own, not on the thread pool: inflating a large debug file is tens of
/// milliseconds of CPU, and on a small machine pool threads busy with it leave the client's requests waiting for a
/// thread. The owner disposes the preloader before the modules (their files are memory-mapped): disposal stops after
/// the module being read and waits for it.</para>
/// </remarks>
public sealed class SymbolPreloader : IAsyncDisposable
{
    private readonly Channel<(IReadOnlyList<Module> Modules, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(IReadOnlyList<Module>, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Thread? _thread;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Reads <paramref name="modules"/> on the preloader's thread, the program first (its frames are the ones
    /// shown), then its libraries; the task completes when they are read, or at once when the preloader is disposed.</summary>
    public Task PreloadAsync(IEnumerable<Module> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var list = modules.OrderByDescending(m => m.IsMainProgram).ToList();
        lock (_gate)
        {
            if (_stop.IsCancellationRequested || !_queue.Writer.TryWrite((list, done)))
                return Task.CompletedTask;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "trapdbg symbols" };
                _thread.Start();
            }
        }
        return done.Task;
    }

    /// <summary>Reads every module of <paramref name="modules"/> on the calling thread, as the preloader's thread does.</summary>
    public static void Preload(IEnumerable<Module> modules, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var module in modules.OrderByDescending(m => m.IsMainProgram).ToList())
        {
            if (stop.IsCancellationRequested) return;
            Preload(module);
        }
    }

    /// <summary>Stops after the module being read and waits for it; work still queued is dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        bool started;
        lock (_gate)
        {
            _stop.Cancel();
            _queue.Writer.TryComplete();
            started = _thread is not null;
        }
        if (started) await _finished.Task.ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var left)) left.Done.TrySetResult();
        _stop.Dispose();
    }

    private void Run()
    {
        try
        {
            while (!_stop.IsCancellationRequested && _queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (_queue.Reader.TryRead(out var work))
                {
                    Preload(work.Modules, _stop.Token);
                    work.Done.TrySetResult();
                    if (_stop.IsCancellationRequested) return;
                }
            }
        }
        finally
        {
            _finished.TrySetResult();
        }
    }

    private static void Preload(Module module)
    {
        try
        {
            if (module.Elf is not { } elf) return;
            // One lookup reads the symbol tables, the unit ranges and a unit's DIEs and line table (and decompresses the
            // sections of a separate debug file); one unwind row reads the call frame information.
            ulong entry = elf.Header.Entry != 0 ? elf.Header.Entry : elf.FirstLoadAddress;
            module.Symbols?.Lookup(entry);
            module.FindUnwindRow(module.ToRuntimeAddress(entry));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or InvalidOperationException
                                      or NotSupportedException or ObjectDisposedException)
        {
            // A module whose debug information cannot be read is reported when a stop uses it, not here.
        }
    }
}
