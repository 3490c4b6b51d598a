namespace TrapDebugger.Engine.Variables;

/// <summary>A scope of a frame as the variables view lists it (DAP Scope).</summary>
/// <param name="Name">"Locals", "Globals" or "Registers".</param>
/// <param name="VariablesReference">The reference to expand it.</param>
/// <param name="NamedVariables">How many variables it holds, when known cheaply.</param>
/// <param name="Expensive">True when expanding it reads a lot (globals).</param>
/// <param name="PresentationHint">The DAP hint: "locals", "registers" or null.</param>
public sealed record ScopeInfo(string Name, int VariablesReference, int? NamedVariables, bool Expensive, string? PresentationHint);

/// <summary>One row of the variables view (DAP Variable).</summary>
/// <param name="Name">The label.</param>
/// <param name="Value">The formatted value or summary.</param>
/// <param name="Type">The type name.</param>
/// <param name="VariablesReference">Non-zero when the row can be expanded.</param>
/// <param name="IndexedVariables">For arrays and vectors: the element count, so the client fetches them in chunks.</param>
/// <param name="NamedVariables">For structs: the member count.</param>
/// <param name="EvaluateName">An expression that evaluates to this row (for watch and copy), when one exists.</param>
/// <param name="MemoryReference">The address of the value, when it lives in memory ("0x…").</param>
public sealed record VariableInfo(string Name, string Value, string Type, int VariablesReference, int? IndexedVariables, int? NamedVariables,
    string? EvaluateName, string? MemoryReference);
