using System.Globalization;
using System.Text.RegularExpressions;

namespace TrapDebugger.Protocol.Serialization;

/// <summary>Quotes text a client sent inside an error sentence: a long value (a megabyte command name, a pasted
/// expression) is cut to a short prefix, so the sentence stays readable and the error stays small.</summary>
public static partial class ClientText
{
    /// <summary>The longest client text quoted whole.</summary>
    public const int MaxQuoted = 60;

    /// <summary>The longest error sentence sent; longer ones are cut.</summary>
    public const int MaxSentence = 400;

    /// <summary><paramref name="text"/> as it may be quoted: whole when short, else its first characters, an ellipsis and its length.</summary>
    public static string Short(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= MaxQuoted)
            return text;
        int cut = MaxQuoted - 12;
        // Never split a surrogate pair.
        if (char.IsHighSurrogate(text[cut - 1])) cut--;
        return $"{text[..cut]}… ({text.Length.ToString(CultureInfo.InvariantCulture)} characters)";
    }

    /// <summary><paramref name="sentence"/> with every over-long quoted run ('…') shortened and the whole bounded.</summary>
    public static string Bound(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var shortened = Quoted().Replace(sentence, m => $"'{Short(m.Groups[1].Value)}'");
        if (shortened.Length <= MaxSentence)
            return shortened;
        int cut = MaxSentence - 1;
        if (char.IsHighSurrogate(shortened[cut - 1])) cut--;
        return shortened[..cut] + "…";
    }

    // A quoted run longer than MaxQuoted.
    [GeneratedRegex(@"'([^'\r\n]{61,})'")]
    private static partial Regex Quoted();
}
