using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using TrapDebugger.Dwarf;

namespace TrapDebugger.Engine.Model;

/// <summary>Which functions a step into passes over instead of stopping in, as lldb's
/// <c>target.process.thread.step-avoid-regexp</c> and <c>step-in-avoid-nodebug</c> settings decide.</summary>
/// <remarks>A step into that lands in an avoided function runs to its return address and goes on stepping the line it
/// came from, so the functions it calls run at full speed; a user function called from an avoided one (a comparator
/// called by <c>std::sort</c>) is not stopped in either, as in lldb.</remarks>
public sealed class StepAvoidance
{
    /// <summary>lldb's default for <c>step-avoid-regexp</c>: the C++ standard library.</summary>
    public const string DefaultFunctionPattern = "^std::";

    private readonly ConcurrentDictionary<string, bool> _sourceExists = new(StringComparer.Ordinal);

    /// <summary>Functions whose qualified name matches are passed over; null avoids none.</summary>
    public Regex? FunctionPattern { get; init; } = new(DefaultFunctionPattern, RegexOptions.CultureInvariant);

    /// <summary>Functions without line information (PLT stubs, the dynamic loader, libraries without DWARF) are passed over.</summary>
    public bool AvoidNoDebug { get; init; } = true;

    /// <summary>Functions of shared libraries whose line table names a source file that does not exist on this machine
    /// (glibc's printf.c when only libc6-dbg is installed) are passed over like functions without line information.</summary>
    /// <remarks>lldb stops in them and shows assembly; stepping into a file nobody can read is rarely what a step into
    /// a call of printf means. The main program is never judged by this rule (its sources may sit elsewhere and be
    /// mapped by the client).</remarks>
    public bool AvoidMissingLibrarySource { get; init; } = true;

    /// <summary>Module file names (e.g. "libc.so.6") whose functions are always passed over, as lldb's <c>step-avoid-libraries</c>.</summary>
    public IReadOnlyList<string> Libraries { get; init; } = [];

    /// <summary>Builds the settings from the textual pattern a client sends (empty or null avoids no function name).</summary>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is not a valid regular expression.</exception>
    public static StepAvoidance WithPattern(string? pattern) => new()
    {
        FunctionPattern = string.IsNullOrEmpty(pattern) ? null : new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)),
    };

    /// <summary>Why a step into should pass over the code at <paramref name="lookup"/> in <paramref name="module"/>, or null when it may stop there.</summary>
    public string? Reason(Module? module, AddressLookup? lookup)
    {
        if (module is not null && Libraries.Contains(module.Name, StringComparer.Ordinal)) return $"{module.Name} is an avoided library";
        if (lookup?.Row is not { Line: > 0 } || lookup.Function is null)
            return AvoidNoDebug ? "no line information" : null;
        if (AvoidMissingLibrarySource && module is { IsMainProgram: false } && SourcePath(lookup) is { } file && !SourceExists(file))
            return $"source file {file} does not exist";
        // The innermost frame decides: std::vector code inlined into a user function is std code, a user lambda
        // inlined into std::sort is user code.
        if (FunctionPattern is { } pattern && lookup.Frames.Count > 0 && lookup.Frames[0].QualifiedName is { } name && Matches(pattern, name))
            return $"{name} matches the step-avoid pattern";
        return null;
    }

    /// <summary>True when an inlined frame named <paramref name="qualifiedName"/> should be stepped through rather than stopped in.</summary>
    public bool AvoidsName(string? qualifiedName) => FunctionPattern is { } pattern && qualifiedName is not null && Matches(pattern, qualifiedName);

    private static bool Matches(Regex pattern, string name)
    {
        try
        {
            return pattern.IsMatch(name);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    // A relative line-table path is relative to the unit's compilation directory; when that is relative too (Debian
    // builds map it to "./stdlib"), a file that is not there from the current directory cannot be shown either.
    private static string? SourcePath(AddressLookup lookup)
    {
        if (lookup.Line?.File is not { } file) return null;
        if (Path.IsPathRooted(file)) return file;
        return lookup.Unit?.CompilationDirectory is { } dir ? Path.Combine(dir, file) : file;
    }

    private bool SourceExists(string file) => _sourceExists.GetOrAdd(file, File.Exists);
}
