using TrapDebugger.Adapter.Session;

namespace TrapDebugger.Adapter.Tests;

public sealed class EnvironmentFileTests
{
    [Fact]
    public void Reads_assignments_comments_export_and_quotes_as_dotenv_files_write_them()
    {
        const string text = "# comment\n\nPLAIN=value with spaces  # trailing comment\r\nexport EXPORTED=1\nSINGLE='kept $AS # is'\n" +
            "DOUBLE=\"tab\\there \\\"quoted\\\"\" # note\nMULTI=\"first\nsecond\"\nEMPTY=\nHASH=a#b\n";
        var values = EnvironmentFile.Parse(text, "test.env");
        Assert.Equal(
        [
            new("PLAIN", "value with spaces"), new("EXPORTED", "1"), new("SINGLE", "kept $AS # is"),
            new("DOUBLE", "tab\there \"quoted\""), new("MULTI", "first\nsecond"), new("EMPTY", ""), new("HASH", "a#b"),
        ], values);
    }

    [Theory]
    [InlineData("A=1\nno equals here\n", "test.env line 2: expected NAME=value, not 'no equals here'")]
    [InlineData("=value\n", "test.env line 1: expected NAME=value, not '=value'")]
    [InlineData("1ABC=x\n", "test.env line 1: '1ABC' is not a variable name (letters, digits and '_', not starting with a digit)")]
    [InlineData("A-B=x\n", "test.env line 1: 'A-B' is not a variable name (letters, digits and '_', not starting with a digit)")]
    [InlineData("A='open\n", "test.env line 1: the value of A has no closing single quote")]
    [InlineData("\nA=\"open\nstill open\n", "test.env line 2: the value of A has no closing double quote")]
    [InlineData("A=\"x\" y\n", "test.env line 1: unexpected text after the quoted value of A: 'y'")]
    public void A_line_that_is_not_an_assignment_is_an_error_naming_it(string text, string error)
    {
        var e = Assert.Throws<FormatException>(() => EnvironmentFile.Parse(text, "test.env"));
        Assert.Equal(error, e.Message);
    }
}
