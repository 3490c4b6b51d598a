using TrapDebugger.Dwarf;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Unwinding;
using TrapDebugger.Engine.Values;

namespace TrapDebugger.Engine.Variables;

/// <summary>A variable of a frame: its name, whether it is an argument, and its value.</summary>
/// <param name="Name">The source name.</param>
/// <param name="IsArgument">True for formal parameters.</param>
/// <param name="Value">The value (possibly optimized out).</param>
/// <param name="DeclarationLine">DW_AT_decl_line: the line that declares it (0 when unknown).</param>
public sealed record FrameVariable(string Name, bool IsArgument, DebugValue Value, int DeclarationLine = 0);

/// <summary>Everything an expression or the variables view can see at one frame: its arguments and locals (by
/// lexical block), the globals of its compile unit, its registers, the types of its module, and memory.</summary>
public sealed class FrameScope : IEvaluationScope, ILocationContext
{
    private readonly StackFrame _frame;
    private readonly RegisterSet _registers;
    private readonly Func<int, byte[]?> _vectorRegister;
    private readonly Action<int, ReadOnlySpan<byte>>? _writeRegister;
    private readonly Module? _module;
    private readonly Lazy<ulong?> _frameBase;
    private readonly Lazy<DwarfDie?> _subprogram;
    private Lazy<IReadOnlyList<FrameVariable>> _locals;
    private Lazy<IReadOnlyList<FrameVariable>> _globals;
    private long _readAtVersion;
    private readonly Func<FrameScope?>? _caller;
    private readonly Target? _target;
    private int _entryValueDepth;
    private readonly Func<FrameScope, string, IReadOnlyList<DebugValue>, DwarfType?, DebugValue>? _call;

    /// <summary>Creates the scope of <paramref name="frame"/>.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="memory">The process memory.</param>
    /// <param name="vectorRegister">Reads xmm/st registers by DWARF number (innermost frame only; null elsewhere).</param>
    /// <param name="writeRegister">Writes a general register of the innermost frame (null for caller frames).</param>
    /// <param name="caller">The scope of the calling machine frame, for DW_OP_entry_value through call-site parameters.</param>
    /// <param name="target">The process's modules: expressions find globals of every module, thread-local storage needs the loader's.</param>
    /// <param name="call">Calls a function of the program on the frame's thread (null where code cannot run).</param>
    public FrameScope(StackFrame frame, ITargetMemory memory, Func<int, byte[]?>? vectorRegister = null, Action<int, ReadOnlySpan<byte>>? writeRegister = null,
        Func<FrameScope?>? caller = null, Target? target = null, Func<FrameScope, string, IReadOnlyList<DebugValue>, DwarfType?, DebugValue>? call = null)
    {
        _call = call;
        _caller = caller;
        _target = target;
        _frame = frame;
        _registers = frame.Physical.Registers;
        Memory = memory;
        _vectorRegister = vectorRegister ?? (_ => null);
        _writeRegister = writeRegister;
        _module = frame.Module;
        _subprogram = new(FindSubprogram);
        _frameBase = new(ComputeFrameBase);
        _locals = new(ReadLocals);
        _globals = new(ReadGlobals);
        _readAtVersion = memory.Version;
    }

    /// <summary>The frame.</summary>
    public StackFrame Frame => _frame;

    /// <summary>Forgets the values read so far, so the next look reads memory again (after the program's memory was changed).</summary>
    public void Refresh()
    {
        _readAtVersion = Memory.Version;
        _locals = new(ReadLocals);
        _globals = new(ReadGlobals);
    }

    // Locations may dereference memory (DW_OP_deref) or registers that a write has since changed.
    private void RefreshIfWritten()
    {
        if (Memory.Version != _readAtVersion) Refresh();
    }

    /// <summary>The source language of the frame's compile unit (DW_AT_language), or null without DWARF.</summary>
    public ulong? Language
    {
        get
        {
            try
            {
                return _frame.FunctionDie?.Unit.Root.Find(DwarfAttribute.Language)?.AsUnsigned();
            }
            catch (InvalidDataException)
            {
                return null;
            }
        }
    }

    /// <summary>How this frame's language spells a null object pointer: "nullptr" for C++, "NULL" for C, null otherwise.</summary>
    public string? NullObjectPointerText => Language switch
    {
        0x04 or 0x1a or 0x21 or 0x2a => "nullptr",
        0x01 or 0x02 or 0x0c or 0x1d or 0x2c => "NULL",
        _ => null,
    };

    /// <inheritdoc/>
    public ITargetMemory Memory { get; }

    IByteSource ILocationContext.Memory => Memory;

    /// <summary>The frame's registers.</summary>
    public RegisterSet Registers => _registers;

    /// <summary>The arguments and locals visible at the frame's pc: arguments first, then locals from the outermost block inward.</summary>
    public IReadOnlyList<FrameVariable> Locals
    {
        get
        {
            RefreshIfWritten();
            return _locals.Value;
        }
    }

    /// <summary>The global and static variables of the frame's compile unit.</summary>
    public IReadOnlyList<FrameVariable> Globals
    {
        get
        {
            RefreshIfWritten();
            return _globals.Value;
        }
    }

    /// <inheritdoc/>
    public ulong? FrameBase => _frameBase.Value;

    /// <inheritdoc/>
    public ulong? Cfa => _frame.Physical.Cfa;

    /// <inheritdoc/>
    public ulong LoadBias => _module?.LoadBias ?? 0;

    /// <inheritdoc/>
    public ulong? ThreadPointer => _registers.FsBase;

    /// <inheritdoc/>
    public ThreadLocalAddress ThreadLocal(ulong offset) => ThreadLocalIn(_module, offset);

    private ThreadLocalAddress ThreadLocalIn(Module? module, ulong offset) => module is null
        ? ThreadLocalAddress.Failed("a thread-local variable outside any module")
        : ThreadLocalStorage.Resolve(module, offset, _registers.FsBase, Memory, _target?.Modules ?? [module]);

    private ulong FileLookupPc => _module is null ? _frame.LookupPc : _module.ToFileAddress(_frame.LookupPc);

    /// <inheritdoc/>
    public ulong? Register(int number) => _registers.Get(number);

    /// <inheritdoc/>
    public byte[]? RegisterBytes(int number)
    {
        if (number is >= 0 and < RegisterSet.Count) return _registers.Get(number) is { } v ? BitConverter.GetBytes(v) : null;
        return _vectorRegister(number);
    }

    /// <inheritdoc/>
    public ulong ResolveAddressIndex(ulong index)
    {
        var unit = _frame.FunctionDie?.Unit ?? throw new InvalidDataException("DW_OP_addrx outside a compile unit");
        return unit.ReadIndexedAddress(index);
    }

    /// <inheritdoc/>
    public ulong? EntryValue(ReadOnlySpan<byte> expression)
    {
        // Only "the value register N had on entry" is recoverable: the caller described it at the call site.
        int register;
        if (expression.Length == 1 && expression[0] is >= 0x50 and <= 0x6f) register = expression[0] - 0x50;
        else if (expression.Length >= 2 && expression[0] == 0x90) register = new ByteReader(expression[1..], "DW_OP_entry_value").ReadU8() & 0x7f;
        else return null;
        if (_entryValueDepth > 4 || _caller?.Invoke() is not { } caller) return null;
        _entryValueDepth++;
        try
        {
            return caller.CallSiteValue(_frame.Physical.Cfa, register);
        }
        finally
        {
            _entryValueDepth--;
        }
    }

    /// <summary>The value this frame passed in <paramref name="register"/> at the call whose return address is this frame's pc, from DW_TAG_call_site_parameter.</summary>
    internal ulong? CallSiteValue(ulong calleeCfa, int register)
    {
        _ = calleeCfa;
        if (_module is null || _frame.Physical.PcIsExact || _subprogram.Value is not { } sub) return null;
        ulong returnPc = _module.ToFileAddress(_frame.Pc);
        try
        {
            var site = FindCallSite(sub, returnPc, 0);
            if (site is not { } s) return null;
            foreach (var p in s.Children)
            {
                if (p.Tag is not (DwarfTag.CallSiteParameter or (DwarfTag)0x410a)) continue;
                var locBytes = p.Find(DwarfAttribute.Location) is { } l ? l.AsBytes() : ReadOnlyMemory<byte>.Empty;
                var loc = locBytes.Span;
                bool matches = (loc.Length == 1 && loc[0] == 0x50 + register) || (loc.Length >= 2 && loc[0] == 0x90 && loc[1] == register);
                if (!matches) continue;
                var value = p.Find(DwarfAttribute.CallValue) ?? p.Find(DwarfAttribute.GnuCallSiteValue);
                if (value is null) return null;
                var result = LocationEvaluator.Evaluate(value.Value.AsBytes().Span, this, 8);
                return result.Kind switch
                {
                    LocationKind.Memory => result.Address,
                    LocationKind.Register => _registers.Get(result.Register),
                    LocationKind.Value when result.Bytes is { Length: > 0 } b => Evaluator.ReadInteger(b, b.Length),
                    _ => null,
                };
            }
        }
        catch (InvalidDataException)
        {
        }
        return null;
    }

    private static DwarfDie? FindCallSite(DwarfDie scope, ulong returnPc, int depth)
    {
        if (depth > 32) return null;
        foreach (var c in scope.Children)
        {
            if (c.Tag is DwarfTag.CallSite or (DwarfTag)0x4109)
            {
                var at = c.Find(DwarfAttribute.CallReturnPc) ?? c.Find(DwarfAttribute.LowPc);
                if (at is { } a && a.AsAddress() == returnPc) return c;
            }
            else if (c.Tag is DwarfTag.LexicalBlock or DwarfTag.InlinedSubroutine && c.HasChildren)
            {
                if (FindCallSite(c, returnPc, depth + 1) is { } inner) return inner;
            }
        }
        return null;
    }

    private DwarfDie? FindSubprogram()
    {
        if (_module?.Symbols is not { } symbols) return null;
        try
        {
            var scopes = symbols.ScopesAt(FileLookupPc);
            return scopes.Count > 0 ? scopes[^1] : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private ulong? ComputeFrameBase()
    {
        if (_subprogram.Value is not { } sub || sub.Find(DwarfAttribute.FrameBase) is not { } fb) return null;
        var loc = EvaluateLocation(fb, 8);
        return loc.Kind switch
        {
            LocationKind.Memory => loc.Address,
            LocationKind.Register => _registers.Get(loc.Register),
            LocationKind.Value when loc.Bytes is { Length: >= 8 } b => BitConverter.ToUInt64(b),
            _ => null,
        };
    }

    private VariableLocation EvaluateLocation(DwarfAttributeValue attribute, int size) => EvaluateLocation(attribute, size, this);

    private VariableLocation EvaluateLocation(DwarfAttributeValue attribute, int size, ILocationContext context)
    {
        try
        {
            if (attribute.IsListReference || attribute.Form is DwarfForm.Data4 or DwarfForm.Data8)
            {
                ulong pc = FileLookupPc;
                foreach (var entry in DwarfLocationListReader.Read(attribute))
                {
                    if (entry.Range is null || entry.Range.Value.Contains(pc))
                        return LocationEvaluator.Evaluate(entry.Expression.Span, context, size);
                }
                return VariableLocation.Missing();
            }
            return LocationEvaluator.Evaluate(attribute.AsBytes().Span, context, size);
        }
        catch (InvalidDataException e)
        {
            return VariableLocation.Missing($"bad location: {e.Message}");
        }
    }

    /// <summary>The value of the variable or parameter described by <paramref name="die"/> at this frame.</summary>
    public DebugValue ValueOf(DwarfDie die) => ValueOf(die, this, _module?.Types ?? new DwarfTypeReader());

    private DebugValue ValueOf(DwarfDie die, ILocationContext context, DwarfTypeReader types)
    {
        DwarfType type = types.TypeOf(die) ?? UnspecifiedType.Void;
        int size = (int)Math.Min(type.Canonical.ByteSize, 1 << 16);
        var location = die.Find(DwarfAttribute.Location);
        if (location is null)
        {
            if (FindConstValue(die) is { } constant) return DebugValue.FromBytes(type, FitBytes(constant, size));
            return DebugValue.OptimizedOut(type);
        }
        var loc = EvaluateLocation(location.Value, size, context);
        switch (loc.Kind)
        {
            case LocationKind.Memory:
                return DebugValue.InMemory(type, loc.Address);
            case LocationKind.Register:
                {
                    var bytes = RegisterBytes(loc.Register);
                    if (bytes is null)
                        return DebugValue.Unavailable(type, $"{RegisterSet.NameOf(loc.Register)} is not recoverable in this frame");
                    return DebugValue.FromBytes(type, FitBytes(bytes, size), ValueLocation.InRegister(loc.Register));
                }
            case LocationKind.Value:
                return DebugValue.FromBytes(type, FitBytes(loc.Bytes!, size));
            default:
                return loc.Reason is { } reason && reason != "optimized out" && !reason.StartsWith("partly", StringComparison.Ordinal)
                    && !reason.Contains("not available", StringComparison.Ordinal)
                    ? DebugValue.Unavailable(type, reason)
                    : DebugValue.OptimizedOut(type);
        }
    }

    private static byte[]? FindConstValue(DwarfDie die)
    {
        var d = die;
        for (int hops = 0; hops < 4; hops++)
        {
            if (d.Find(DwarfAttribute.ConstValue) is { } cv)
            {
                if (cv.IsConstant) return BitConverter.GetBytes(cv.Form is DwarfForm.Sdata ? (ulong)cv.AsSigned() : cv.AsUnsigned());
                if (cv.HasBytes) return cv.AsBytes().ToArray();
                if (cv.AsString() is { } s) return [.. System.Text.Encoding.UTF8.GetBytes(s), 0];
                return null;
            }
            if (d.Reference(DwarfAttribute.AbstractOrigin) is not { } origin || origin == d) return null;
            d = origin;
        }
        return null;
    }

    private static byte[] FitBytes(byte[] bytes, int size)
    {
        if (size <= 0 || bytes.Length == size) return bytes;
        var result = new byte[size];
        bytes.AsSpan(0, Math.Min(bytes.Length, size)).CopyTo(result);
        return result;
    }

    private IReadOnlyList<FrameVariable> ReadLocals()
    {
        if (_module?.Symbols is not { } symbols || _frame.FunctionDie is not { } function) return [];
        IReadOnlyList<DwarfDie> scopes;
        try
        {
            scopes = symbols.ScopesAt(FileLookupPc);
        }
        catch (InvalidDataException)
        {
            return [];
        }
        int k = -1;
        for (int i = 0; i < scopes.Count; i++)
        {
            if (scopes[i] == function)
            {
                k = i;
                break;
            }
        }
        var relevant = new List<DwarfDie>();
        if (k < 0) relevant.Add(function);
        else
        {
            relevant.Add(scopes[k]);
            // The lexical blocks between this function and the next inlined call belong to this frame.
            for (int j = k - 1; j >= 0 && scopes[j].Tag != DwarfTag.InlinedSubroutine; j--) relevant.Add(scopes[j]);
        }
        var arguments = new List<FrameVariable>();
        var locals = new List<FrameVariable>();
        foreach (var scope in relevant)
        {
            foreach (var v in SymbolIndex.VariablesOf(scope))
            {
                if (v.Die.Find(DwarfAttribute.Declaration)?.AsFlag() == true) continue;
                var name = v.Name ?? "";
                if (name.Length == 0 && !v.IsParameter) continue;
                try
                {
                    var value = ValueOf(v.Die);
                    int declLine = (int)(v.Die.FindRecursively(DwarfAttribute.DeclLine)?.AsUnsigned() ?? 0);
                    (v.IsParameter ? arguments : locals).Add(new FrameVariable(name, v.IsParameter, value, declLine));
                }
                catch (InvalidDataException e)
                {
                    (v.IsParameter ? arguments : locals).Add(new FrameVariable(name, v.IsParameter, DebugValue.Unavailable(UnspecifiedType.Void, e.Message)));
                }
            }
        }
        return [.. arguments, .. locals];
    }

    private IReadOnlyList<FrameVariable> ReadGlobals()
    {
        var unit = _frame.FunctionDie?.Unit;
        if (unit is null && _module?.Symbols is { } s)
        {
            try { unit = s.UnitFor(FileLookupPc); } catch (InvalidDataException) { unit = null; }
        }
        if (unit is null) return [];
        var result = new List<FrameVariable>();
        try
        {
            CollectGlobals(unit.Root, result, 0);
        }
        catch (InvalidDataException)
        {
        }
        return result;
    }

    private void CollectGlobals(DwarfDie parent, List<FrameVariable> into, int depth)
    {
        foreach (var c in parent.Children)
        {
            if (c.Tag == DwarfTag.Variable && c.Has(DwarfAttribute.Location) && c.ShortName is { } name)
                into.Add(new FrameVariable(depth > 0 ? SymbolIndex.QualifiedName(c) ?? name : name, false, ValueOf(c)));
            else if (c.Tag == DwarfTag.Namespace && depth < 4)
                CollectGlobals(c, into, depth + 1);
        }
    }

    /// <inheritdoc/>
    public DebugValue? FindVariable(string name)
    {
        var locals = Locals;
        for (int i = locals.Count - 1; i >= 0; i--)
        {
            if (locals[i].Name == name) return locals[i].Value;
        }
        foreach (var g in Globals)
        {
            if (g.Name == name) return g.Value;
        }
        return FindGlobalElsewhere(name);
    }

    // Any global or static of any unit of any module, by plain or qualified name: this module first (as a C program sees
    // its own globals before a library's), then the others in load order; then ELF data symbols that have no DWARF.
    private DebugValue? FindGlobalElsewhere(string name)
    {
        if (name.StartsWith("::", StringComparison.Ordinal)) name = name[2..];
        if (name.Length == 0) return null;
        var modules = new List<Module>();
        if (_module is not null) modules.Add(_module);
        foreach (var m in _target?.Modules ?? []) if (m != _module) modules.Add(m);
        foreach (var module in modules)
        {
            if (module.Symbols is not { } symbols) continue;
            IReadOnlyList<DwarfDie> found;
            try
            {
                found = GlobalsNamed.GetOrCreateValue(symbols).GetOrAdd(name, symbols.FindVariables);
            }
            catch (InvalidDataException)
            {
                continue;
            }
            if (found.Count == 0) continue;
            var die = found[0];
            try
            {
                return ValueOf(die, new GlobalLocation(this, module, die.Unit), module.Types);
            }
            catch (InvalidDataException e)
            {
                return DebugValue.Unavailable(UnspecifiedType.Void, e.Message);
            }
        }
        foreach (var module in modules)
        {
            ElfSymbol? symbol;
            try
            {
                symbol = module.Elf?.Symbols.FindByName(name).FirstOrDefault(s => s.Type is ElfSymbolType.Object or ElfSymbolType.Tls && !s.IsAbsolute);
            }
            catch (InvalidDataException)
            {
                continue;
            }
            if (symbol is null) continue;
            if (symbol.Type == ElfSymbolType.Tls)
            {
                var tls = ThreadLocalIn(module, symbol.Value);
                return tls.Address is { } at ? DebugValue.InMemory(NoTypeInformation, at) : DebugValue.Unavailable(NoTypeInformation, tls.Error ?? "thread-local storage cannot be located");
            }
            return DebugValue.InMemory(NoTypeInformation, module.ToRuntimeAddress(symbol.Value));
        }
        return null;
    }

    // Breakpoint conditions look the same names up at every hit; a module's DWARF never changes while it is loaded.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SymbolIndex, System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<DwarfDie>>> GlobalsNamed = new();

    /// <summary>The type of a variable known only from an ELF symbol: as lldb, its first 8 bytes read as a <c>void *</c>
    /// (cast it to its declared type to see it as such); the name says that there is no type information.</summary>
    public static readonly DwarfType NoTypeInformation = new TypedefType { Name = "<no type information>", Target = new PointerType { Pointee = UnspecifiedType.Void, ByteSize = 8 } };

    // A global's location is evaluated in its own module and unit (load bias, DW_OP_addrx table), in this frame's thread.
    private sealed class GlobalLocation(FrameScope frame, Module module, DwarfUnit unit) : ILocationContext
    {
        public IByteSource Memory => frame.Memory;
        public ulong? FrameBase => null;
        public ulong? Cfa => null;
        public ulong LoadBias => module.LoadBias;
        public ulong? ThreadPointer => frame.ThreadPointer;
        public ulong? Register(int number) => null;
        public byte[]? RegisterBytes(int number) => null;
        public ulong ResolveAddressIndex(ulong index) => unit.ReadIndexedAddress(index);
        public ThreadLocalAddress ThreadLocal(ulong offset) => frame.ThreadLocalIn(module, offset);
    }

    /// <inheritdoc/>
    public DwarfType? FindType(string name)
    {
        if (_module?.Symbols is not { } symbols) return null;
        var unit = _frame.FunctionDie?.Unit;
        try
        {
            if (unit is not null && FindTypeIn(unit, name) is { } here) return here;
            foreach (var u in symbols.Dwarf.CompileUnits)
            {
                if (u == unit) continue;
                if (FindTypeIn(u, name) is { } there) return there;
            }
        }
        catch (InvalidDataException)
        {
        }
        return null;
    }

    private DwarfType? FindTypeIn(DwarfUnit unit, string name)
    {
        DwarfType? declaration = null;
        foreach (var die in unit.Dies)
        {
            if (die.Tag is not (DwarfTag.StructureType or DwarfTag.ClassType or DwarfTag.UnionType or DwarfTag.Typedef
                or DwarfTag.EnumerationType or DwarfTag.BaseType)) continue;
            if (die.Name is not { } n) continue;
            if (n != name && DwarfTypeReader.QualifiedName(die) != name) continue;
            var type = _module!.Types.Read(die);
            if (type is CompositeType { IsDeclaration: true }) { declaration ??= type; continue; }
            return type;
        }
        return declaration;
    }

    /// <inheritdoc/>
    public DebugValue? ReadRegister(string name)
    {
        name = name.ToLowerInvariant();
        name = name switch { "pc" => "rip", "sp" => "rsp", "fp" => "rbp", _ => name };
        if (name is "rflags" or "eflags")
            return _registers.Rflags is { } f ? DebugValue.FromInteger(BuiltinTypes.UnsignedLong, (long)f) : null;
        if (name == "fs_base") return DebugValue.FromInteger(BuiltinTypes.UnsignedLong, (long)_registers.FsBase);
        if (name == "gs_base") return DebugValue.FromInteger(BuiltinTypes.UnsignedLong, (long)_registers.GsBase);
        int full = RegisterSet.NumberOf(name);
        if (full >= 0)
        {
            return _registers.Get(full) is { } v
                ? DebugValue.FromBytes(BuiltinTypes.UnsignedLong, BitConverter.GetBytes(v), Values.ValueLocation.InRegister(full))
                : DebugValue.Unavailable(BuiltinTypes.UnsignedLong, $"{name} is not recoverable in this frame");
        }
        if (RegisterNames.SubRegister(name) is { } sub)
        {
            if (_registers.Get(sub.Number) is not { } v) return DebugValue.Unavailable(sub.Type, $"{name} is not recoverable in this frame");
            return DebugValue.FromInteger(sub.Type, (long)((v >> sub.Shift) & sub.Mask));
        }
        if (name.StartsWith("xmm", StringComparison.Ordinal) && int.TryParse(name.AsSpan(3), out var x) && x is >= 0 and < 16)
        {
            var bytes = _vectorRegister(17 + x);
            var type = new ArrayType { Element = BuiltinTypes.UnsignedChar, Dimensions = [16UL] };
            return bytes is null ? DebugValue.Unavailable(type, $"{name} is only known in the innermost frame") : DebugValue.FromBytes(type, bytes);
        }
        return null;
    }

    /// <inheritdoc/>
    public DebugValue CallFunction(string name, IReadOnlyList<DebugValue> arguments, DwarfType? returnType) =>
        _call is null
            ? throw new ExpressionException($"'{name}' cannot be called here: functions run only in a live process")
            : _call(this, name, arguments, returnType);

    /// <inheritdoc/>
    public bool SideEffectsAllowed { get; set; } = true;

    /// <summary>How many register writes this scope has made (so a caller can tell whether the frame's registers changed).</summary>
    public int RegisterWrites { get; private set; }

    /// <inheritdoc/>
    public void WriteRegister(int dwarfRegister, ReadOnlySpan<byte> bytes)
    {
        if (_writeRegister is null)
            throw new ExpressionException("registers can only be changed in the innermost frame");
        _writeRegister(dwarfRegister, bytes);
        RegisterWrites++;
        if (dwarfRegister is >= 0 and < RegisterSet.Count && bytes.Length >= 8)
            _registers.Set(dwarfRegister, BitConverter.ToUInt64(bytes));
    }
}
