using System.IO.Pipes;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Interop;
using TrapDebugger.Native.Proc;

namespace TrapDebugger.Native.Guardian;

/// <summary>This machine, with every launched or attached process traced by a guardian process of its own
/// (<see cref="GuardianHost"/>), so that the debugger's death (killed with -9, crashed) leaves the process whole.</summary>
/// <param name="guardianCommand">The command that starts a guardian: the trapdbg executable and its <c>guardian</c> command.</param>
public sealed class GuardedPlatform(IReadOnlyList<string> guardianCommand) : ITargetPlatform
{
    /// <summary>What becomes of a launched program if the debugger goes away without ending it: ended (the default, as a
    /// disconnect ends it), or let go to run on.</summary>
    public LossPolicy LaunchedProgramOnLoss { get; init; } = LossPolicy.Kill;

    /// <summary>The command that starts a guardian.</summary>
    public IReadOnlyList<string> GuardianCommand { get; } = guardianCommand;

    /// <inheritdoc/>
    public async Task<ITarget> LaunchAsync(LaunchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The guardian's own standard streams are what the program inherits: the debugger's, or a fresh pipe whose other
        // end the debugger keeps. Files and /dev/null the guardian opens itself.
        var keep = new int[3];
        var give = new int[3];
        var modes = new[] { options.StandardInput, options.StandardOutput, options.StandardError };
        try
        {
            for (var stream = 0; stream < 3; stream++)
            {
                keep[stream] = -1;
                give[stream] = modes[stream] switch
                {
                    StdioMode.Inherit => stream,
                    StdioMode.Pipe => Pipe(stream == 0, out keep[stream]),
                    _ => -1,
                };
            }
            var sent = options with
            {
                StandardInput = Inherited(options.StandardInput),
                StandardOutput = Inherited(options.StandardOutput),
                StandardError = Inherited(options.StandardError),
            };
            var connection = GuardianConnection.Start(GuardianCommand, give[0], give[1], give[2]);
            for (var stream = 0; stream < 3; stream++)
                if (modes[stream] == StdioMode.Pipe) LibC.Close(give[stream]);
            var target = await OpenAsync(connection, Operation.Launch, w =>
            {
                WireCodec.WriteLaunch(w, sent);
                w.U8((int)LaunchedProgramOnLoss);
            }, cancellationToken).ConfigureAwait(false);
            target.StandardInput = Stream(keep[0], PipeDirection.Out);
            target.StandardOutput = Stream(keep[1], PipeDirection.In);
            target.StandardError = Stream(keep[2], PipeDirection.In);
            return target;
        }
        catch
        {
            foreach (var fd in keep) if (fd >= 0) LibC.Close(fd);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<ITarget> AttachAsync(int processId, CancellationToken cancellationToken = default)
    {
        // The guardian is this process's child: attached to this process, it would stop the debugger that drives it.
        var self = Environment.ProcessId;
        if (processId == self || (processId > 0 && ProcFs.Status(processId) is { Tgid: var tgid } && tgid == self))
            throw new SelfAttachException(processId);
        var connection = GuardianConnection.Start(GuardianCommand);
        return await OpenAsync(connection, Operation.Attach, w => w.I32(processId).U8((int)LossPolicy.Detach), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(CancellationToken cancellationToken = default) =>
        LocalPlatform.Instance.ListProcessesAsync(cancellationToken);

    /// <inheritdoc/>
    public Task<int> WaitForProcessAsync(string program, Action? waiting, CancellationToken cancellationToken) =>
        LocalPlatform.Instance.WaitForProcessAsync(program, waiting, cancellationToken);

    /// <inheritdoc/>
    public Task<ProcessInfo?> FindProcessAsync(int processId, CancellationToken cancellationToken = default) =>
        LocalPlatform.Instance.FindProcessAsync(processId, cancellationToken);

    /// <summary>Asks the new guardian to launch or attach and makes the target from its reply; a failure or a cancellation
    /// closes the guardian (which lets go of anything it already holds).</summary>
    private static async Task<GuardedTarget> OpenAsync(GuardianConnection connection, Operation op, Action<WireWriter> arguments, CancellationToken cancellationToken)
    {
        GuardedTarget? made = null;
        try
        {
            await connection.RequestAsync(0, op, arguments, result =>
            {
                var r = new WireReader(result);
                var held = WireCodec.ReadHeld(ref r);
                made = new GuardedTarget(connection, held.Id, held.Pid, held.Snapshot, held.Sites, ownsConnection: true);
                connection.Register(held.Id, made);
            }).WaitAsync(cancellationToken).ConfigureAwait(false);
            return made!;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static StdioMode Inherited(StdioMode mode) => mode == StdioMode.Pipe ? StdioMode.Inherit : mode;

    /// <summary>A close-on-exec pipe: returns the program's end and sets <paramref name="ours"/> to the debugger's.</summary>
    private static unsafe int Pipe(bool input, out int ours)
    {
        var pair = stackalloc int[2];
        if (LibC.Pipe2(pair, 0x80000 /* O_CLOEXEC */) != 0)
            throw new LaunchFailedException($"could not create a pipe for the program's standard streams ({Marshal.GetLastPInvokeErrorMessage()}); close some files and retry");
        ours = input ? pair[1] : pair[0];
        return input ? pair[0] : pair[1];
    }

    private static Stream? Stream(int fd, PipeDirection direction) =>
        fd < 0 ? null : new AnonymousPipeClientStream(direction, new SafePipeHandle(fd, true));
}
