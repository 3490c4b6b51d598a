namespace TrapDebugger.Protocol.Requests;

/// <summary>The command names of the requests this adapter knows.</summary>
public static class Commands
{
    /// <summary>Handshake: client and adapter exchange capabilities.</summary>
    public const string Initialize = "initialize";

    /// <summary>Start a program under the debugger.</summary>
    public const string Launch = "launch";

    /// <summary>Attach to a running process.</summary>
    public const string Attach = "attach";

    /// <summary>The client finished sending breakpoints after <c>initialized</c>.</summary>
    public const string ConfigurationDone = "configurationDone";

    /// <summary>Replace the source breakpoints of one file.</summary>
    public const string SetBreakpoints = "setBreakpoints";

    /// <summary>Replace all function breakpoints.</summary>
    public const string SetFunctionBreakpoints = "setFunctionBreakpoints";

    /// <summary>Replace all instruction breakpoints.</summary>
    public const string SetInstructionBreakpoints = "setInstructionBreakpoints";

    /// <summary>Choose which exception filters stop the program.</summary>
    public const string SetExceptionBreakpoints = "setExceptionBreakpoints";

    /// <summary>Ask whether a data breakpoint can be set on a variable or address.</summary>
    public const string DataBreakpointInfo = "dataBreakpointInfo";

    /// <summary>Replace all data breakpoints.</summary>
    public const string SetDataBreakpoints = "setDataBreakpoints";

    /// <summary>Resume execution.</summary>
    public const string Continue = "continue";

    /// <summary>Step over.</summary>
    public const string Next = "next";

    /// <summary>Step into.</summary>
    public const string StepIn = "stepIn";

    /// <summary>Step out.</summary>
    public const string StepOut = "stepOut";

    /// <summary>Suspend execution.</summary>
    public const string Pause = "pause";

    /// <summary>List the threads.</summary>
    public const string Threads = "threads";

    /// <summary>Get a thread's call stack.</summary>
    public const string StackTrace = "stackTrace";

    /// <summary>Get a frame's scopes.</summary>
    public const string Scopes = "scopes";

    /// <summary>List the children of a variables reference.</summary>
    public const string Variables = "variables";

    /// <summary>Assign a value to a variable.</summary>
    public const string SetVariable = "setVariable";

    /// <summary>Evaluate an expression.</summary>
    public const string Evaluate = "evaluate";

    /// <summary>Details of the exception that stopped a thread.</summary>
    public const string ExceptionInfo = "exceptionInfo";

    /// <summary>List the loaded modules.</summary>
    public const string Modules = "modules";

    /// <summary>List the loaded sources.</summary>
    public const string LoadedSources = "loadedSources";

    /// <summary>Fetch a source's contents by reference.</summary>
    public const string Source = "source";

    /// <summary>Disassemble memory.</summary>
    public const string Disassemble = "disassemble";

    /// <summary>Read debuggee memory.</summary>
    public const string ReadMemory = "readMemory";

    /// <summary>Write debuggee memory.</summary>
    public const string WriteMemory = "writeMemory";

    /// <summary>End the session, optionally terminating the debuggee.</summary>
    public const string Disconnect = "disconnect";

    /// <summary>Ask the debuggee to terminate.</summary>
    public const string Terminate = "terminate";

    /// <summary>Cancel a pending request.</summary>
    public const string Cancel = "cancel";

    /// <summary>Reverse request: ask the client to run a command in a terminal.</summary>
    public const string RunInTerminal = "runInTerminal";

    /// <summary>Completions of a partly typed Debug Console line.</summary>
    public const string Completions = "completions";

    /// <summary>TrapDebugger extension: list the trap sites of a module or binary.</summary>
    public const string TrapSites = "trapSites";

    /// <summary>TrapDebugger extension: the ranked checks that may have fired at the current trap.</summary>
    public const string TrapOrigins = "trapOrigins";

    /// <summary>TrapDebugger extension: write a core file of the stopped process.</summary>
    public const string SaveCore = "saveCore";
}
