namespace TrapDebugger.Targets;

/// <summary>Which process the debugger stays with when the program forks (gdb's follow-fork-mode).</summary>
public enum ForkFollow
{
    /// <summary>The process that called fork.</summary>
    Parent,
    /// <summary>The new process; the parent is the other one.</summary>
    Child,
}

/// <summary>What a target does at a fork: which process it follows, and whether it keeps the other one.</summary>
/// <param name="Follow">The process the target goes on with.</param>
/// <param name="KeepOther">True: the other process is handed over stopped, with no breakpoint and no debug register, as a
/// target of its own in <see cref="ProcessForked"/> (whoever receives it runs it, watches it or lets it go). False: its
/// breakpoint bytes and debug registers are removed and it runs on untraced.</param>
/// <remarks>A vfork child, which shares its parent's memory until it executes another program or exits, is neither: it
/// runs under the tracer with its parent's breakpoints passed over, and is let go when it executes or exits.</remarks>
public sealed record ForkOptions(ForkFollow Follow = ForkFollow.Parent, bool KeepOther = false)
{
    /// <summary>Follow the parent and let the child go: what a target does until told otherwise.</summary>
    public static ForkOptions Default { get; } = new();
}
