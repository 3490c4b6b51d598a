namespace TrapDebugger.Engine.Breakpoints;

/// <summary>A requested source breakpoint (DAP SourceBreakpoint).</summary>
/// <param name="Line">The 1-based line.</param>
/// <param name="Condition">Stop only when this expression is non-zero.</param>
/// <param name="HitCondition">Stop only on hits that satisfy this ("5", "&gt;= 5", "% 5").</param>
/// <param name="LogMessage">Print this (with {expr} parts evaluated) instead of stopping.</param>
public sealed record SourceBreakpointSpec(int Line, string? Condition = null, string? HitCondition = null, string? LogMessage = null);

/// <summary>A requested function breakpoint (DAP FunctionBreakpoint).</summary>
/// <param name="Name">The function name: plain, qualified (ns::f) or mangled.</param>
/// <param name="Condition">Stop only when this expression is non-zero.</param>
/// <param name="HitCondition">Stop only on hits that satisfy this.</param>
public sealed record FunctionBreakpointSpec(string Name, string? Condition = null, string? HitCondition = null);

/// <summary>A requested instruction breakpoint (DAP InstructionBreakpoint, address already resolved).</summary>
/// <param name="Address">The run-time address.</param>
/// <param name="Condition">Stop only when this expression is non-zero.</param>
/// <param name="HitCondition">Stop only on hits that satisfy this.</param>
public sealed record InstructionBreakpointSpec(ulong Address, string? Condition = null, string? HitCondition = null);
