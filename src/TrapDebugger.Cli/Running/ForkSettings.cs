using System.CommandLine;
using TrapDebugger.Targets;

namespace TrapDebugger.Cli.Running;

/// <summary>What <c>run</c> and <c>attach</c> do when the program forks, as gdb's follow-fork-mode and detach-on-fork: which
/// process is followed, whether the other one is debugged too or only watched for a crash, and whether each fork's end is
/// said (one line) or only a crash is.</summary>
/// <param name="Follow">The process followed at a fork.</param>
/// <param name="DetachOnFork">True: the other process runs without breakpoints and is only watched for a crash; false: it is
/// debugged too, and its first reportable stop is reported as the program's would be.</param>
/// <param name="ReportAll">True: one line per fork says how the other process ended; false: only a crash is reported.</param>
public sealed record ForkSettings(ForkFollow Follow = ForkFollow.Parent, bool DetachOnFork = true, bool ReportAll = false)
{
    /// <summary>The options of a command: <c>--follow-fork</c>, <c>--detach-on-fork</c>, <c>--fork-events</c>.</summary>
    public sealed class Options
    {
        private readonly Option<string> follow = new("--follow-fork")
        {
            Description = "Which process to follow when the program forks: parent or child (gdb's follow-fork-mode).",
            DefaultValueFactory = _ => "parent",
        };

        private readonly Option<string> detach = new("--detach-on-fork")
        {
            Description = "on: the process not followed runs without breakpoints, watched only for a crash; off: it is debugged too.",
            DefaultValueFactory = _ => "on",
        };

        private readonly Option<string> events = new("--fork-events")
        {
            Description = "crashes: say only when a forked process crashes; all: one line per fork saying how the other process ended.",
            DefaultValueFactory = _ => "crashes",
        };

        /// <summary>Declares the options and their accepted values on <paramref name="command"/>.</summary>
        public void AddTo(Command command)
        {
            follow.AcceptOnlyFromAmong("parent", "child");
            detach.AcceptOnlyFromAmong("on", "off");
            events.AcceptOnlyFromAmong("crashes", "all");
            command.Options.Add(follow);
            command.Options.Add(detach);
            command.Options.Add(events);
        }

        /// <summary>The settings a parsed command line gives.</summary>
        public ForkSettings From(ParseResult parse) => new(
            parse.GetValue(follow) == "child" ? ForkFollow.Child : ForkFollow.Parent,
            parse.GetValue(detach) != "off",
            parse.GetValue(events) == "all");
    }
}
