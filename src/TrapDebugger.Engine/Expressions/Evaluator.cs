using System.Buffers.Binary;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Values;

namespace TrapDebugger.Engine.Expressions;

/// <summary>Evaluates parsed expressions over a scope, with C semantics for arithmetic, pointers, arrays and casts, and
/// the views of library values for <c>v[i]</c>, <c>x.field</c>, <c>v.len()</c> and <c>*p</c>.</summary>
/// <remarks>Values come from DWARF locations, registers and memory reads; an assignment writes memory or a register, and
/// a call of a function of the program runs it through <see cref="IEvaluationScope.CallFunction"/>.</remarks>
public sealed class Evaluator(IEvaluationScope scope)
{
    private readonly IEvaluationScope _scope = scope;

    /// <summary>Parses and evaluates <paramref name="text"/> in <paramref name="scope"/>.</summary>
    public static (DebugValue Value, ValueFormat Format) Evaluate(string text, IEvaluationScope scope)
    {
        var parsed = Parser.Parse(text, name => scope.FindType(name) is not null || BuiltinTypes.Find(name) is not null);
        return (new Evaluator(scope).Evaluate(parsed.Root), parsed.Format);
    }

    /// <summary>Evaluates a syntax tree.</summary>
    /// <exception cref="ExpressionException">A name is unknown, an operation does not apply to its operands, or memory cannot be read.</exception>
    public DebugValue Evaluate(SyntaxNode node)
    {
        try
        {
            return Eval(node);
        }
        catch (ValueException e)
        {
            throw new ExpressionException(e.Message, node.Position + 1);
        }
    }

    private DebugValue Eval(SyntaxNode node) => node switch
    {
        IdentifierNode id => Dereference(_scope.FindVariable(id.Name) ?? throw Error(id, $"no variable named '{id.Name}' in scope")),
        RegisterNode r => _scope.ReadRegister(r.Name) ?? throw Error(r, $"no register named '${r.Name}'"),
        IntegerLiteralNode lit => IntegerLiteral(lit),
        FloatLiteralNode f => DebugValue.FromDouble(BuiltinTypes.Double, f.Value),
        MemberNode m => Member(m),
        IndexNode i => Index(i),
        UnaryNode u => Unary(u),
        BinaryNode b => Binary(b),
        CastNode c => CastOrTypedCall(c),
        CallNode call => Call(call),
        AssignNode a => Assign(a),
        StringLiteralNode str => throw Error(str, "a string literal can only be passed to a function of the program"),
        SizeOfNode s => DebugValue.FromInteger(BuiltinTypes.UnsignedLong,
            (long)(s.Type is not null ? ResolveType(s.Type, s).Canonical.ByteSize : Eval(s.Operand!).Canonical.ByteSize)),
        _ => throw Error(node, "unsupported expression"),
    };

    private static ExpressionException Error(SyntaxNode node, string message) => new(message, node.Position + 1);

    // A C++ reference is its referent for every operation.
    private DebugValue Dereference(DebugValue v)
    {
        if (v.Canonical is ReferenceType r && v.IsAvailable)
            return DebugValue.InMemory(r.Referent ?? UnspecifiedType.Void, v.GetRawInteger(_scope.Memory));
        return v;
    }

    private DebugValue Require(DebugValue v, SyntaxNode node)
    {
        if (v.IsOptimizedOut) throw Error(node, "value is optimized out");
        if (!v.IsAvailable) throw Error(node, v.Error ?? "value is unavailable");
        return v;
    }

    private static DebugValue IntegerLiteral(IntegerLiteralNode lit)
    {
        if (lit.IsCharacter) return DebugValue.FromInteger(BuiltinTypes.Char, (long)lit.Value);
        // C picks the first of int, long (unsigned variants when suffixed or too big) that holds the value.
        DwarfType type = (lit.IsUnsigned, lit.IsLong || lit.Value > uint.MaxValue) switch
        {
            (false, false) => lit.Value <= int.MaxValue ? BuiltinTypes.Int : BuiltinTypes.Long,
            (true, false) => BuiltinTypes.UnsignedInt,
            (false, true) => lit.Value <= long.MaxValue ? BuiltinTypes.Long : BuiltinTypes.UnsignedLong,
            (true, true) => BuiltinTypes.UnsignedLong,
        };
        return DebugValue.FromInteger(type, (long)lit.Value);
    }

    private DebugValue Member(MemberNode m)
    {
        var target = Require(Eval(m.Target), m.Target);
        if (m.ThroughPointer)
        {
            if (target.Canonical is CompositeType && View(target)?.Pointee is { } owned) target = owned;
            else if (target.Canonical is not PointerType p)
                throw Error(m, $"'->{m.Member}' needs a pointer, but the value has type '{target.Type.DisplayName}'");
            else target = DebugValue.InMemory(p.Pointee ?? UnspecifiedType.Void, target.GetRawInteger(_scope.Memory));
        }
        else if (target.Canonical is PointerType pointer)
        {
            // Rust reaches fields through references and boxes with '.'; C and C++ need '->'.
            if (!pointer.Language.IsRust || pointer.Pointee is not { } pointee)
                throw Error(m, $"'{target.Type.DisplayName}' is a pointer; use '->{m.Member}'");
            target = AutoDereference(target);
        }
        if (target.Canonical is not CompositeType c)
            throw Error(m, $"'.{m.Member}' needs a struct, class or union, but the value has type '{target.Type.DisplayName}'");
        if (c.IsDeclaration)
            throw Error(m, $"'{c.DisplayName}' is only declared here; its members are not described");
        if (View(target)?.Field(m.Member) is { } field) return Dereference(field);
        var member = target.Member(m.Member, _scope.Memory)
            // A tuple field is written "t.0" and described as "__0".
            ?? (m.Member.Length > 0 && char.IsDigit(m.Member[0]) ? target.Member("__" + m.Member) : null);
        return Dereference(member ?? throw Error(m, $"'{c.DisplayName}' has no member named '{m.Member}'"));
    }

    // The library view of a struct value, if its type has one.
    private Values.Views.ValueView? View(DebugValue value) =>
        value.Canonical is CompositeType ? Values.Views.ViewCatalog.For(value, _scope.Memory) : null;

    // A Rust reference or box seen through: the value it points to (references to references followed too).
    private DebugValue AutoDereference(DebugValue value)
    {
        for (int guard = 0; guard < 8 && value.Canonical is PointerType { Language.IsRust: true, Pointee: { } pointee }; guard++)
            value = DebugValue.InMemory(pointee, value.GetRawInteger(_scope.Memory));
        return value;
    }

    private DebugValue Index(IndexNode node)
    {
        var target = Require(Eval(node.Target), node.Target);
        var indexValue = Require(Eval(node.Index), node.Index);
        if (!DebugValue.IsIntegral(indexValue.Canonical) || indexValue.Canonical is PointerType)
            throw Error(node.Index, $"array index must be an integer, not '{indexValue.Type.DisplayName}'");
        long index = (long)indexValue.GetRawInteger(_scope.Memory);
        // Rust indexes through references to its containers (v: &Vec<i32>, v[0]).
        if (target.Canonical is PointerType { Language.IsRust: true, Pointee.Canonical: CompositeType }) target = AutoDereference(target);
        if (View(target) is { } view)
            return Dereference(view.Element(index) ?? throw Error(node, $"'{target.Type.DisplayName}' has no elements to index"));
        switch (target.Canonical)
        {
            case ArrayType a when a.Inner is { } inner:
                {
                    ulong size = inner.Canonical.ByteSize;
                    if (target.Address is { } addr) return Dereference(DebugValue.InMemory(inner, addr + (ulong)(index * (long)size)));
                    if (index < 0 || a.Count is not { } n || (ulong)index >= n)
                        throw Error(node, $"index {index} is outside the array of {a.Count} elements");
                    return target.Slice(inner, (ulong)index * size);
                }
            case PointerType p:
                {
                    var pointee = p.Pointee ?? throw Error(node, "cannot index a 'void *'; cast it to a typed pointer first");
                    ulong size = pointee.Canonical.ByteSize;
                    if (size == 0) throw Error(node, $"cannot index a pointer to '{pointee.DisplayName}', whose size is unknown");
                    return Dereference(DebugValue.InMemory(pointee, target.GetRawInteger(_scope.Memory) + (ulong)(index * (long)size)));
                }
            default:
                throw Error(node, $"'[]' needs an array or pointer, but the value has type '{target.Type.DisplayName}'");
        }
    }

    private DebugValue Unary(UnaryNode u)
    {
        if (u.Operator == "&")
        {
            var target = Eval(u.Operand);
            if (target.Address is { } address) return DebugValue.FromInteger(BuiltinTypes.PointerTo(target.Type), (long)address);
            throw Error(u, target.Location.Kind == ValueLocationKind.Register
                ? "cannot take the address of a value held in a register"
                : "cannot take the address of a value that is not in memory");
        }
        var v = Require(Eval(u.Operand), u.Operand);
        switch (u.Operator)
        {
            case "*":
                switch (v.Canonical)
                {
                    case PointerType { Pointee: null }:
                        throw Error(u, "cannot dereference a 'void *'; cast it to a typed pointer first");
                    case PointerType p:
                        return Dereference(DebugValue.InMemory(p.Pointee, v.GetRawInteger(_scope.Memory)));
                    case ArrayType a when a.Inner is { } inner && v.Address is { } addr:
                        return DebugValue.InMemory(inner, addr);
                    case CompositeType when View(v)?.Pointee is { } owned:
                        return Dereference(owned);
                    default:
                        throw Error(u, $"cannot dereference a value of type '{v.Type.DisplayName}'");
                }
            case "!":
                return DebugValue.FromInteger(BuiltinTypes.Bool, IsTrue(v, u) ? 0 : 1);
            case "+":
            case "-":
            case "~":
                {
                    if (IsFloat(v.Canonical))
                    {
                        if (u.Operator == "~") throw Error(u, "'~' needs an integer operand");
                        var d = v.GetDouble(_scope.Memory);
                        return DebugValue.FromDouble(BuiltinTypes.Double, u.Operator == "-" ? -d : d);
                    }
                    if (!DebugValue.IsIntegral(v.Canonical) || v.Canonical is PointerType)
                        throw Error(u, $"'{u.Operator}' needs a number, not '{v.Type.DisplayName}'");
                    var type = Promote(v.Canonical);
                    long raw = (long)v.GetRawInteger(_scope.Memory);
                    long r = u.Operator switch { "-" => unchecked(-raw), "~" => ~raw, _ => raw };
                    return DebugValue.FromInteger(type, r);
                }
            default:
                throw Error(u, $"unsupported operator '{u.Operator}'");
        }
    }

    private bool IsTrue(DebugValue v, SyntaxNode node)
    {
        if (IsFloat(v.Canonical)) return v.GetDouble(_scope.Memory) != 0;
        if (DebugValue.IsIntegral(v.Canonical)) return v.GetRawInteger(_scope.Memory) != 0;
        if (v.Canonical is ArrayType) return true;
        throw Error(node, $"a value of type '{v.Type.DisplayName}' cannot be used as a condition");
    }

    private static bool IsFloat(DwarfType t) => t is BaseType { IsFloat: true };

    private static BaseType Promote(DwarfType t)
    {
        // Integer promotion: everything narrower than int becomes int.
        if (t is BaseType b && b.ByteSize >= 4 && b.Encoding != BaseTypeEncoding.Boolean)
            return b.ByteSize == 4 ? (b.IsSigned ? BuiltinTypes.Int : BuiltinTypes.UnsignedInt) : (b.IsSigned ? BuiltinTypes.Long : BuiltinTypes.UnsignedLong);
        if (t is EnumerationType e && e.ByteSize > 4) return e.IsSigned ? BuiltinTypes.Long : BuiltinTypes.UnsignedLong;
        return BuiltinTypes.Int;
    }

    private static BaseType Common(BaseType a, BaseType b)
    {
        // The usual arithmetic conversions for x86-64 (int and long ranks; unsigned wins at equal rank).
        if (a.ByteSize != b.ByteSize) return a.ByteSize > b.ByteSize ? a : b;
        return a.IsSigned ? b : a;
    }

    private DebugValue Decay(DebugValue v)
    {
        if (v.Canonical is ArrayType a && v.Address is { } addr)
            return DebugValue.FromInteger(BuiltinTypes.PointerTo(a.Inner), (long)addr);
        return v;
    }

    private DebugValue Binary(BinaryNode b)
    {
        if (b.Operator is "&&" or "||")
        {
            bool left = IsTrue(Require(Eval(b.Left), b.Left), b.Left);
            if (b.Operator == "&&" && !left) return DebugValue.FromInteger(BuiltinTypes.Bool, 0);
            if (b.Operator == "||" && left) return DebugValue.FromInteger(BuiltinTypes.Bool, 1);
            return DebugValue.FromInteger(BuiltinTypes.Bool, IsTrue(Require(Eval(b.Right), b.Right), b.Right) ? 1 : 0);
        }
        return Combine(b.Operator, Require(Eval(b.Left), b.Left), Require(Eval(b.Right), b.Right), b);
    }

    // Applies binary operator <op> to two values (also the arithmetic of a compound assignment).
    private DebugValue Combine(string op, DebugValue left, DebugValue right, SyntaxNode where)
    {
        var b = where as BinaryNode ?? new BinaryNode(op, where, where, where.Position);
        if (b.Operator != op) b = b with { Operator = op };
        var l = Decay(left);
        var r = Decay(right);
        var lt = l.Canonical;
        var rt = r.Canonical;
        var mem = _scope.Memory;

        if (lt is PointerType || rt is PointerType)
            return PointerArithmetic(b, l, r);

        bool numeric(DwarfType t) => IsFloat(t) || DebugValue.IsIntegral(t);
        if (!numeric(lt)) throw Error(b.Left, $"'{b.Operator}' needs a number, not '{l.Type.DisplayName}'");
        if (!numeric(rt)) throw Error(b.Right, $"'{b.Operator}' needs a number, not '{r.Type.DisplayName}'");

        if (IsFloat(lt) || IsFloat(rt))
        {
            double x = IsFloat(lt) ? l.GetDouble(mem) : ToDouble(l);
            double y = IsFloat(rt) ? r.GetDouble(mem) : ToDouble(r);
            return b.Operator switch
            {
                "+" => DebugValue.FromDouble(BuiltinTypes.Double, x + y),
                "-" => DebugValue.FromDouble(BuiltinTypes.Double, x - y),
                "*" => DebugValue.FromDouble(BuiltinTypes.Double, x * y),
                "/" => DebugValue.FromDouble(BuiltinTypes.Double, x / y),
                "==" => Bool(x == y),
                "!=" => Bool(x != y),
                "<" => Bool(x < y),
                ">" => Bool(x > y),
                "<=" => Bool(x <= y),
                ">=" => Bool(x >= y),
                _ => throw Error(b, $"'{b.Operator}' needs integer operands"),
            };
        }

        var type = Common(Promote(lt), Promote(rt));
        ulong ux = Convert(l.GetRawInteger(mem), Promote(lt), type);
        ulong uy = Convert(r.GetRawInteger(mem), Promote(rt), type);
        bool signed = type.IsSigned;
        long sx = (long)ux, sy = (long)uy;
        if (type.ByteSize == 4)
        {
            sx = (int)ux; sy = (int)uy;
            ux = (uint)ux; uy = (uint)uy;
        }
        switch (b.Operator)
        {
            case "/" or "%" when uy == 0:
                throw Error(b, "division by zero");
            case "<<" or ">>" when uy >= type.ByteSize * 8:
                throw Error(b, $"shift by {uy} is not smaller than the width of '{type.Name}'");
        }
        long result = b.Operator switch
        {
            "+" => unchecked(sx + sy),
            "-" => unchecked(sx - sy),
            "*" => unchecked(sx * sy),
            "/" => signed ? (sx == long.MinValue && sy == -1 ? sx : sx / sy) : (long)(ux / uy),
            "%" => signed ? (sy == -1 ? 0 : sx % sy) : (long)(ux % uy),
            "<<" => sx << (int)uy,
            ">>" => signed ? sx >> (int)uy : (long)(ux >> (int)uy),
            "&" => sx & sy,
            "|" => sx | sy,
            "^" => sx ^ sy,
            "==" => ux == uy ? 1 : 0,
            "!=" => ux != uy ? 1 : 0,
            "<" => (signed ? sx < sy : ux < uy) ? 1 : 0,
            ">" => (signed ? sx > sy : ux > uy) ? 1 : 0,
            "<=" => (signed ? sx <= sy : ux <= uy) ? 1 : 0,
            ">=" => (signed ? sx >= sy : ux >= uy) ? 1 : 0,
            _ => throw Error(b, $"unsupported operator '{b.Operator}'"),
        };
        return b.Operator is "==" or "!=" or "<" or ">" or "<=" or ">="
            ? DebugValue.FromInteger(BuiltinTypes.Bool, result)
            : DebugValue.FromInteger(type, result);
    }

    private static DebugValue Bool(bool v) => DebugValue.FromInteger(BuiltinTypes.Bool, v ? 1 : 0);

    private double ToDouble(DebugValue v)
    {
        ulong raw = v.GetRawInteger(_scope.Memory);
        return v.Canonical is BaseType { IsSigned: true } or EnumerationType { IsSigned: true } ? (long)raw : raw;
    }

    private static ulong Convert(ulong raw, BaseType from, BaseType to)
    {
        // Raw values are already sign- or zero-extended to 64 bits from their own width, so only narrowing matters.
        _ = from;
        return to.ByteSize == 4 ? (to.IsSigned ? (ulong)(long)(int)raw : (uint)raw) : raw;
    }

    private DebugValue PointerArithmetic(BinaryNode b, DebugValue l, DebugValue r)
    {
        var mem = _scope.Memory;
        var lp = l.Canonical as PointerType;
        var rp = r.Canonical as PointerType;
        ulong x = l.GetRawInteger(mem), y = r.GetRawInteger(mem);
        switch (b.Operator)
        {
            case "==": return Bool(x == y);
            case "!=": return Bool(x != y);
            case "<": return Bool(x < y);
            case ">": return Bool(x > y);
            case "<=": return Bool(x <= y);
            case ">=": return Bool(x >= y);
        }
        if (lp is not null && rp is not null)
        {
            if (b.Operator != "-") throw Error(b, $"'{b.Operator}' does not apply to two pointers");
            ulong elementSize = Math.Max(lp.Pointee?.Canonical.ByteSize ?? 1, 1);
            return DebugValue.FromInteger(BuiltinTypes.Long, ((long)x - (long)y) / (long)elementSize);
        }
        var pointer = lp ?? rp!;
        var pointerValue = lp is not null ? l : r;
        var offsetValue = lp is not null ? r : l;
        if (!DebugValue.IsIntegral(offsetValue.Canonical))
            throw Error(b, $"a pointer can only be offset by an integer, not '{offsetValue.Type.DisplayName}'");
        if (b.Operator is not ("+" or "-") || (b.Operator == "-" && lp is null))
            throw Error(b, $"'{b.Operator}' does not apply to a pointer and an integer");
        long offset = (long)offsetValue.GetRawInteger(mem);
        // void * arithmetic steps in bytes, as GNU C does.
        long size = (long)Math.Max(pointer.Pointee?.Canonical.ByteSize ?? 1, 1);
        ulong address = pointerValue.GetRawInteger(mem);
        ulong result = b.Operator == "+" ? address + (ulong)(offset * size) : address - (ulong)(offset * size);
        return DebugValue.FromInteger(pointerValue.Type, (long)result);
    }

    private DwarfType ResolveType(TypeName name, SyntaxNode node)
    {
        DwarfType type = BuiltinTypes.Find(name.BaseName) ?? _scope.FindType(name.BaseName)
            ?? throw Error(node, $"no type named '{name.BaseName}'");
        for (int i = 0; i < name.PointerDepth; i++) type = BuiltinTypes.PointerTo(type is UnspecifiedType { Name: "void" } ? null : type);
        return type;
    }

    /// <summary>Converts <paramref name="v"/> to <paramref name="target"/> with C cast semantics.</summary>
    public DebugValue Cast(DebugValue v, DwarfType target, SyntaxNode node)
    {
        v = Decay(Require(v, node));
        var to = target.Canonical;
        var from = v.Canonical;
        var mem = _scope.Memory;
        switch (to)
        {
            case PointerType or EnumerationType:
            case BaseType { IsFloat: false }:
                {
                    if (to is BaseType { Encoding: BaseTypeEncoding.Boolean })
                        return DebugValue.FromInteger(target, IsTrue(v, node) ? 1 : 0);
                    if (IsFloat(from)) return DebugValue.FromInteger(target, (long)v.GetDouble(mem));
                    if (!DebugValue.IsIntegral(from))
                        throw Error(node, $"cannot cast a value of type '{v.Type.DisplayName}' to '{target.DisplayName}'");
                    return DebugValue.FromInteger(target, (long)v.GetRawInteger(mem));
                }
            case BaseType { IsFloat: true }:
                if (IsFloat(from)) return DebugValue.FromDouble(target, v.GetDouble(mem));
                if (DebugValue.IsIntegral(from)) return DebugValue.FromDouble(target, ToDouble(v));
                throw Error(node, $"cannot cast a value of type '{v.Type.DisplayName}' to '{target.DisplayName}'");
            default:
                if (v.Address is not null || from.ByteSize == to.ByteSize) return v.WithType(target);
                throw Error(node, $"cannot cast a value of type '{v.Type.DisplayName}' to '{target.DisplayName}'");
        }
    }

    /// <summary>Stores the result of <paramref name="text"/> into <paramref name="target"/> (a scalar, enum or pointer that
    /// lives in memory or a register, or a struct given a value of its own type).</summary>
    /// <returns>The stored value, re-read from its home.</returns>
    public static DebugValue Assign(DebugValue target, string text, IEvaluationScope scope)
    {
        var evaluator = new Evaluator(scope);
        var node = new IdentifierNode(text, 0);
        if (target.Canonical is EnumerationType e && e.Enumerators.FirstOrDefault(x => x.Name == text.Trim()) is { Name: not null } named)
            return evaluator.Store(target, DebugValue.FromInteger(target.Type, named.Value), node);
        return evaluator.Store(target, Evaluate(text, scope).Value, node);
    }

    // "(size_t)strlen(s)": a cast of a call also tells a function without debug information what it returns.
    private DebugValue CastOrTypedCall(CastNode c)
    {
        var type = ResolveType(c.Type, c);
        var value = c.Operand is CallNode { Callee: IdentifierNode } call ? Call(call, type) : Eval(c.Operand);
        return Cast(value, type, c);
    }

    private void RequireSideEffects(SyntaxNode node, string what)
    {
        if (!_scope.SideEffectsAllowed)
            throw Error(node, $"{what} would change the program, and this evaluation may not (a hover); use the console or a watch");
    }

    private DebugValue Assign(AssignNode a)
    {
        RequireSideEffects(a, "an assignment");
        var target = Eval(a.Target);
        var value = Require(Eval(a.Value), a.Value);
        if (a.Operator is { } op) value = Combine(op, Require(target, a.Target), value, a);
        return Store(target, value, a);
    }

    // Writes <source>, converted to the target's type, where <target> lives; returns the target read back.
    private DebugValue Store(DebugValue target, DebugValue source, SyntaxNode node)
    {
        var t = target.Canonical;
        if (target.BitSize is not null)
            throw Error(node, "assigning to a bit field is not supported");
        byte[] bytes;
        if (t is BaseType or EnumerationType or PointerType)
        {
            bytes = Cast(source, target.Type, node).GetBytes(_scope.Memory).ToArray();
        }
        else if (t is CompositeType or ArrayType && source.IsAvailable && SameType(source.Canonical, t))
        {
            // A whole struct or array from a value of the same type (another variable, a call's result).
            bytes = source.GetBytes(_scope.Memory).ToArray();
        }
        else
        {
            throw Error(node, $"only scalars, pointers and values of the same type can be assigned, not '{source.Type.DisplayName}' to '{target.Type.DisplayName}'");
        }
        switch (target.Location.Kind)
        {
            case ValueLocationKind.Memory:
                try
                {
                    _scope.Memory.Write(target.Location.Address, bytes);
                }
                catch (TargetMemoryException e)
                {
                    throw Error(node, e.Message);
                }
                return DebugValue.InMemory(target.Type, target.Location.Address);
            case ValueLocationKind.Register when bytes.Length <= 8:
                {
                    var full = new byte[8];
                    bytes.AsSpan().CopyTo(full);
                    if (t is BaseType { IsSigned: true } && bytes.Length < 8 && (bytes[^1] & 0x80) != 0)
                        full.AsSpan(bytes.Length).Fill(0xff);
                    _scope.WriteRegister(target.Location.Register, full);
                    return DebugValue.FromBytes(target.Type, bytes, target.Location);
                }
            default:
                throw Error(node, target.IsOptimizedOut
                    ? "the value is optimized out and cannot be set"
                    : "the value has no home in memory or a register and cannot be set");
        }
    }

    private static bool SameType(DwarfType a, DwarfType b) =>
        ReferenceEquals(a, b) || (a.ByteSize == b.ByteSize && a.Kind == b.Kind && a.Name is not null && a.Name == b.Name);

    private DebugValue Call(CallNode call, DwarfType? returnType = null)
    {
        var arguments = call.Arguments;
        if (call.Callee is MemberNode method)
        {
            // v.len(), o.is_some(), p.get(): what a library value's view answers without running the program.
            var receiver = Require(Eval(method.Target), method.Target);
            if (method.ThroughPointer && receiver.Canonical is PointerType p)
                receiver = DebugValue.InMemory(p.Pointee ?? UnspecifiedType.Void, receiver.GetRawInteger(_scope.Memory));
            receiver = AutoDereference(receiver);
            var view = View(receiver);
            var result = view?.Method(method.Member);
            if (result is null)
                throw Error(method, view is null
                    ? $"'{receiver.Type.DisplayName}' has no method '{method.Member}' the debugger can answer; call a function of the program by name instead"
                    : $"'{receiver.Type.DisplayName}' has no method '{method.Member}()' (try len(), size(), is_empty(), capacity() or the fields it shows)");
            if (arguments.Count > 0) throw Error(call, $"'{method.Member}()' takes no arguments");
            return Dereference(result);
        }
        if (call.Callee is not IdentifierNode function)
            throw Error(call, "only a function of the program, called by name, or a method of a library value can be called");
        var values = new List<DebugValue>(arguments.Count);
        foreach (var argument in arguments)
        {
            if (argument is StringLiteralNode text)
            {
                // A string literal is passed as a NUL-terminated char array the call puts in the program's memory.
                var utf8 = System.Text.Encoding.UTF8.GetBytes(text.Value + "\0");
                values.Add(DebugValue.FromBytes(new ArrayType { Element = BuiltinTypes.Char, Dimensions = [(ulong)utf8.Length] }, utf8));
                continue;
            }
            values.Add(Require(Eval(argument), argument));
        }
        RequireSideEffects(call, $"calling '{function.Name}'");
        try
        {
            return _scope.CallFunction(function.Name, values, returnType);
        }
        catch (ExpressionException e) when (e.Column < 0)
        {
            throw new ExpressionException(e.Message, call.Position + 1);
        }
    }

    /// <summary>Reads a little-endian integer of <paramref name="size"/> bytes (used by scopes building register values).</summary>
    public static ulong ReadInteger(ReadOnlySpan<byte> bytes, int size)
    {
        Span<byte> b = stackalloc byte[8];
        b.Clear();
        bytes[..Math.Min(size, bytes.Length)].CopyTo(b);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }
}
