using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Process;
using TrapDebugger.Engine.Values;
using TrapDebugger.Engine.Variables;

namespace TrapDebugger.Engine.Calls;

/// <summary>Calls of the program's functions from expressions: finds the function (DWARF, else the symbol table),
/// converts the arguments to its parameters, and runs it on the frame's thread through a <see cref="FunctionCaller"/>
/// while <see cref="RunControl"/> holds the rest of the process.</summary>
internal sealed class FunctionCalls(ITarget target, Target modules, RunControl run) : ICallHost
{
    /// <summary>How long a called function may run before it is interrupted and the thread restored.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc/>
    public ITarget Target => target;

    /// <summary>Calls function <paramref name="name"/> of the program with <paramref name="arguments"/> on the thread of
    /// <paramref name="scope"/>'s frame; <paramref name="returnType"/> types the result of a function the debug information
    /// does not describe (the expression cast the call).</summary>
    /// <exception cref="ExpressionException">The call cannot be made, crashed or did not return; the message says why.</exception>
    public DebugValue Call(FrameScope scope, string name, IReadOnlyList<DebugValue> arguments, DwarfType? returnType)
    {
        if (!run.IsStopped)
            throw new ExpressionException($"'{name}' cannot be called while the program runs (in a breakpoint condition or a log message)");
        var signature = CallSignature.Find(modules, scope.Frame.Module, name)
            ?? throw new ExpressionException($"no function named '{name}' in the program or its libraries");
        if (IsIndirectFunction(name, signature.Address)) signature = signature with { ReturnType = null, Parameters = [], IsVariadic = true, IsDescribed = false, IsIndirect = true };
        if (!signature.IsDescribed)
        {
            signature = returnType is null
                ? throw new ExpressionException($"'{name}' has no debug information, so its return type is unknown; cast the call to its declared return type, e.g. (int){name}(…)")
                : signature with { ReturnType = returnType.Canonical is UnspecifiedType { Name: "void" } ? null : returnType };
        }
        var converted = ConvertArguments(scope, signature, arguments);
        DebugValue? result;
        using (run.HoldForCall())
        {
            try
            {
                var caller = new FunctionCaller(this, ReturnAddress()) { Timeout = Timeout };
                result = caller.CallAsync(signature, converted, scope.Frame.ThreadId).GetAwaiter().GetResult();
            }
            catch (TargetException e)
            {
                throw new ExpressionException($"cannot call {name}: {e.Message}");
            }
        }
        return result ?? DebugValue.FromBytes(UnspecifiedType.Void, []);
    }

    /// <inheritdoc/>
    public Task<ProcessStopped?> NextStopAsync(TimeSpan timeout) => run.NextStopWhileHeldAsync(timeout);

    /// <inheritdoc/>
    public string Describe(ulong address)
    {
        var module = modules.ModuleAt(address);
        try
        {
            if (module?.Symbols is { } symbols && symbols.Lookup(module.ToFileAddress(address)) is { Frames.Count: > 0 } lookup)
            {
                var f = lookup.Frames[0];
                var name = f.QualifiedName ?? f.Name ?? FrameSymbolizer.Demangle(lookup.Symbol?.Name ?? $"0x{address:x}");
                return lookup.Line is { Line: > 0 } at ? $"{name} ({Path.GetFileName(at.File)}:{at.Line})" : name;
            }
        }
        catch (InvalidDataException)
        {
        }
        return module?.SymbolAt(address) is { } symbol ? FrameSymbolizer.Demangle(symbol.Name) : $"0x{address:x}";
    }

    // The symbol table says whether <name> at <address> is an indirect function: then DWARF describes its resolver
    // (glibc's strlen), not the function the resolver picks.
    private bool IsIndirectFunction(string name, ulong address)
    {
        if (modules.ModuleAt(address) is not { Elf: { } elf } module) return false;
        try
        {
            return elf.Symbols.FindByName(name).Any(s => s.Type == Elf.ElfSymbolType.GnuIndirectFunction && module.ToRuntimeAddress(s.Value) == address);
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static List<DebugValue> ConvertArguments(FrameScope scope, CallSignature signature, IReadOnlyList<DebugValue> arguments)
    {
        if (arguments.Count < signature.Parameters.Count || (arguments.Count > signature.Parameters.Count && !signature.IsVariadic))
        {
            var count = signature.Parameters.Count;
            throw new ExpressionException($"{signature.Name} takes {(signature.IsVariadic ? "at least " : "")}{count} argument{(count == 1 ? "" : "s")}, not {arguments.Count}");
        }
        var evaluator = new Evaluator(scope);
        var converted = new List<DebugValue>(arguments.Count);
        for (int i = 0; i < arguments.Count; i++)
        {
            var value = arguments[i];
            var where = new IdentifierNode($"argument {i + 1}", 0);
            try
            {
                if (i >= signature.Parameters.Count)
                {
                    converted.Add(Promote(evaluator, value, where));
                    continue;
                }
                var parameter = signature.Parameters[i];
                switch (parameter.Canonical)
                {
                    case ReferenceType reference:
                        // A reference parameter receives the address of the argument.
                        converted.Add(value.Address is { } at
                            ? DebugValue.FromInteger(BuiltinTypes.PointerTo(reference.Referent), (long)at)
                            : throw new ExpressionException($"argument {i + 1} of {signature.Name} is a reference and needs a value in memory, not a temporary"));
                        break;
                    case BaseType or EnumerationType or PointerType:
                        // A string literal or an array given for a pointer parameter is passed as its address (the call copies a literal).
                        converted.Add(value.Canonical is ArrayType && parameter.Canonical is PointerType ? value : evaluator.Cast(value, parameter, where));
                        break;
                    default:
                        if (value.Canonical.ByteSize != parameter.Canonical.ByteSize || value.Canonical.Kind != parameter.Canonical.Kind)
                            throw new ExpressionException($"argument {i + 1} of {signature.Name} has type '{value.Type.DisplayName}', but the parameter is '{parameter.DisplayName}'");
                        converted.Add(value.WithType(parameter));
                        break;
                }
            }
            catch (ValueException e)
            {
                throw new ExpressionException($"argument {i + 1} of {signature.Name}: {e.Message}");
            }
        }
        return converted;
    }

    // The default argument promotions of C for arguments past the prototype: float to double, small integers to int.
    private static DebugValue Promote(Evaluator evaluator, DebugValue value, SyntaxNode where) => value.Canonical switch
    {
        BaseType { IsFloat: true, ByteSize: 4 } => evaluator.Cast(value, BuiltinTypes.Double, where),
        BaseType { IsFloat: false, ByteSize: < 4 } or EnumerationType { ByteSize: < 4 } => evaluator.Cast(value, BuiltinTypes.Int, where),
        _ => value,
    };

    // The program's entry point runs once, at start: a breakpoint there catches the called function's return.
    private ulong ReturnAddress() =>
        target.GetAuxiliaryVectorAsync().GetAwaiter().GetResult()[AuxVector.AT_ENTRY]
        ?? throw new ExpressionException("the program's entry point is unknown, so a function cannot be called");
}
