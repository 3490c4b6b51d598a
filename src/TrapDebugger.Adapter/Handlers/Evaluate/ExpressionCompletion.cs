using System.Text.RegularExpressions;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Process;
using TrapDebugger.Engine.Unwinding;

namespace TrapDebugger.Adapter.Handlers.Evaluate;

/// <summary>Completes the name being typed at the end of an expression: a member after <c>.</c> or <c>-&gt;</c> (the
/// object's type is found by evaluating the expression before the operator), a register after <c>$</c>, otherwise a
/// local, parameter or global visible in the frame.</summary>
/// <remarks>An object expression that calls a function is not evaluated: typing must never run the program's code.</remarks>
public static partial class ExpressionCompletion
{
    /// <summary>The most candidates offered at once.</summary>
    public const int MaxCandidates = 500;

    /// <summary>One candidate: the name, what kind of name it is, a detail (its type), how it sorts, and the span of the
    /// line (0-based start, length) it replaces.</summary>
    public readonly record struct Candidate(string Name, string Kind, string? Detail, string SortText, int Start, int Length);

    /// <summary>The candidates for the end of <paramref name="line"/>, whose expression starts at <paramref name="expressionStart"/>.</summary>
    public static async Task<IReadOnlyList<Candidate>> CompleteAsync(TargetProcess process, int? frameId, string line, int expressionStart)
    {
        int tokenStart = line.Length;
        while (tokenStart > expressionStart && IsNameChar(line[tokenStart - 1]))
            tokenStart--;
        var token = line[tokenStart..];
        if (token.Length > 0 && char.IsAsciiDigit(token[0]))
            return [];

        StackFrame frame;
        try
        {
            frame = frameId is { } id ? process.GetFrame(id) : await TopFrameAsync(process).ConfigureAwait(false);
        }
        catch (EngineException)
        {
            return [];
        }
        var scope = await process.GetScopeAsync(frame).ConfigureAwait(false);
        var found = new List<Candidate>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string name, string kind, string? detail, string sort)
        {
            if (found.Count < MaxCandidates && name.StartsWith(token, StringComparison.Ordinal) && seen.Add(name))
                found.Add(new Candidate(name, kind, detail, sort + name, tokenStart, token.Length));
        }

        if (MemberAccess(line, tokenStart, expressionStart) is { } access)
        {
            if (CallsFunction().IsMatch(access.Object))
                return [];
            DwarfType type;
            try
            {
                type = Evaluator.Evaluate(access.Object, scope).Value.Canonical;
            }
            catch (Exception e) when (e is ExpressionException or Engine.Values.ValueException or Targets.TargetMemoryException)
            {
                return [];
            }
            if (type is PointerType { Pointee: { } pointee })
                type = pointee.Canonical;
            if (type is CompositeType composite)
            {
                foreach (var (name, memberType) in Members(composite, 0))
                    Add(name, "property", TypeNames.Format(memberType), "");
            }
            return found;
        }
        if (token.StartsWith('$'))
        {
            for (int number = 0; number < RegisterSet.Count; number++)
                Add("$" + RegisterSet.NameOf(number), "property", "register", "");
            return found;
        }
        foreach (var local in scope.Locals.Reverse())
            Add(local.Name, "variable", local.Value.Type.DisplayName, local.IsArgument ? "1" : "0");
        foreach (var global in scope.Globals)
            Add(global.Name, "variable", global.Value.Type.DisplayName, "2");
        Add("sizeof", "keyword", null, "3");
        return found;
    }

    private static async Task<StackFrame> TopFrameAsync(TargetProcess process)
    {
        var thread = process.LastStop?.ThreadId ?? throw new EngineException("no thread is stopped");
        var (frames, _) = await process.GetStackTraceAsync(thread, 0, 1).ConfigureAwait(false);
        return frames.Count > 0 ? frames[0] : throw new EngineException("the stopped thread has no frames");
    }

    /// <summary>The object expression before a <c>.</c> or <c>-&gt;</c> that ends just before <paramref name="tokenStart"/>, or null.</summary>
    private static (string Object, bool Arrow)? MemberAccess(string line, int tokenStart, int expressionStart)
    {
        int end = tokenStart;
        while (end > expressionStart && line[end - 1] == ' ')
            end--;
        bool arrow;
        if (end - 1 >= expressionStart && line[end - 1] == '.')
        {
            arrow = false;
            end--;
        }
        else if (end - 2 >= expressionStart && line[end - 2] == '-' && line[end - 1] == '>')
        {
            arrow = true;
            end -= 2;
        }
        else
            return null;

        // Walk back over a postfix expression: names, member accesses, subscripts and parenthesized parts.
        int start = end;
        while (start > expressionStart)
        {
            char c = line[start - 1];
            if (IsNameChar(c))
                start--;
            else if (c is ']' or ')')
            {
                int open = MatchingOpen(line, start - 1, expressionStart);
                if (open < 0)
                    return null;
                start = open;
            }
            else if (c == '.')
                start--;
            else if (c == '>' && start - 2 >= expressionStart && line[start - 2] == '-')
                start -= 2;
            else
                break;
        }
        var text = line[start..end].Trim();
        return text.Length == 0 ? null : (text, arrow);
    }

    private static int MatchingOpen(string line, int close, int floor)
    {
        char closing = line[close], opening = closing == ']' ? '[' : '(';
        int depth = 0;
        for (int i = close; i >= floor; i--)
        {
            if (line[i] == closing)
                depth++;
            else if (line[i] == opening && --depth == 0)
                return i;
        }
        return -1;
    }

    /// <summary>The data members a <c>.</c> reaches: the type's own, those of anonymous members and of base classes.</summary>
    private static IEnumerable<(string Name, DwarfType? Type)> Members(CompositeType type, int depth)
    {
        if (depth > 16)
            yield break;
        foreach (var member in type.Members)
        {
            if (member.IsArtificial)
                continue;
            if (member.Name is { Length: > 0 } name)
                yield return (name, member.Type);
            else if (member.Type?.Canonical is CompositeType anonymous)
            {
                foreach (var inner in Members(anonymous, depth + 1))
                    yield return inner;
            }
        }
        foreach (var baseClass in type.Bases)
        {
            if (baseClass.Type?.Canonical is CompositeType composite)
            {
                foreach (var inherited in Members(composite, depth + 1))
                    yield return inherited;
            }
        }
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$';

    /// <summary>A name followed by an opening parenthesis: a call (a cast's parenthesis follows no name).</summary>
    [GeneratedRegex(@"[A-Za-z0-9_]\s*\(")]
    private static partial Regex CallsFunction();
}
