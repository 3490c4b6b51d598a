using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Values;

namespace TrapDebugger.Engine.Expressions;

/// <summary>What an expression can see: the names in scope at a frame, its registers, the types of its module, and memory.</summary>
public interface IEvaluationScope
{
    /// <summary>The debuggee's memory.</summary>
    ITargetMemory Memory { get; }

    /// <summary>The variable named <paramref name="name"/>: innermost local first, then parameters, then globals; null if none.</summary>
    DebugValue? FindVariable(string name);

    /// <summary>The type named <paramref name="name"/> in the frame's module ("node", "struct node", "std::string"), or null.</summary>
    DwarfType? FindType(string name);

    /// <summary>The register named <paramref name="name"/> (without the <c>$</c>) in the frame, or null if there is none by that name.</summary>
    DebugValue? ReadRegister(string name);

    /// <summary>Writes a register of the frame (for setVariable on a value that lives in a register).</summary>
    void WriteRegister(int dwarfRegister, ReadOnlySpan<byte> bytes);

    /// <summary>Calls the function named <paramref name="name"/> of the program with <paramref name="arguments"/> on the
    /// frame's thread and returns what it returned.</summary>
    /// <exception cref="ExpressionException">There is no such function, calls cannot be made here, or the call failed
    /// (a crash or a timeout in the callee; the thread is restored either way).</exception>
    /// <param name="name">The function's name as written.</param>
    /// <param name="arguments">The argument values, as evaluated.</param>
    /// <param name="returnType">The type the expression cast the call to, which types the result of a function the debug
    /// information does not describe; null without a cast.</param>
    DebugValue CallFunction(string name, IReadOnlyList<DebugValue> arguments, DwarfType? returnType) =>
        throw new ExpressionException($"calling '{name}' needs a live process stopped in this frame's thread");

    /// <summary>False when the expression must not change the program (a hover): assignments and calls are refused.</summary>
    bool SideEffectsAllowed => true;
}
