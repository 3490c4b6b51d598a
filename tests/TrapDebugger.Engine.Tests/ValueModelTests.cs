using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Values;
using TrapDebugger.Targets;

namespace TrapDebugger.Engine.Tests;

/// <summary>The type model's C spelling, the value model's bit fields and the formatter's scalar output, from bytes.</summary>
public sealed class ValueModelTests
{
    private static readonly BaseType Int = BuiltinTypes.Int;
    private static readonly BaseType Char = BuiltinTypes.Char;

    public static TheoryData<string, string> TypeSpellings() => new()
    {
        { "const char *", TypeNames.Format(new PointerType { Pointee = new QualifiedType { Qualifier = TypeQualifier.Const, Target = Char } }) },
        { "char **", TypeNames.Format(new PointerType { Pointee = new PointerType { Pointee = Char } }) },
        { "int[4]", TypeNames.Format(new ArrayType { Element = Int, Dimensions = [4UL] }) },
        { "int[2][3]", TypeNames.Format(new ArrayType { Element = Int, Dimensions = [2UL, 3UL] }) },
        { "int (*)[4]", TypeNames.Format(new PointerType { Pointee = new ArrayType { Element = Int, Dimensions = [4UL] } }) },
        { "void (*)(int, ...)", TypeNames.Format(new PointerType { Pointee = new SubroutineType { Parameters = [Int], IsVariadic = true } }) },
        { "void *", TypeNames.Format(new PointerType()) },
        { "int &", TypeNames.Format(new ReferenceType { Referent = Int }) },
        { "char *const", TypeNames.Format(new QualifiedType { Qualifier = TypeQualifier.Const, Target = new PointerType { Pointee = Char } }) },
    };

    [Theory]
    [MemberData(nameof(TypeSpellings))]
    public void TypesAreSpelledAsC(string expected, string actual) => Assert.Equal(expected, actual);

    [Theory]
    [InlineData(0, 1, 0xA5u, "1")]
    [InlineData(1, 3, 0xA5u, "2")]
    [InlineData(5, 3, 0xA5u, "5")]
    [InlineData(4, 4, 0xF0u, "15")]
    public void BitFieldsAreExtractedFromTheirStorage(int bitOffset, int bitSize, uint storage, string expected)
    {
        var s = new CompositeType(DwarfTypeKind.Structure) { Name = "s", ByteSize = 4 };
        s.AddMember(new DataMember("f", BuiltinTypes.UnsignedInt, 0, bitSize, bitOffset));
        var memory = new ArrayTargetMemory(0x1000, BitConverter.GetBytes(storage));
        var field = DebugValue.InMemory(s, 0x1000).Member("f")!;
        Assert.Equal(expected, new ValueFormatter(memory).Format(field));
    }

    [Fact]
    public void SignedBitFieldsAreSignExtended()
    {
        var s = new CompositeType(DwarfTypeKind.Structure) { Name = "s", ByteSize = 4 };
        s.AddMember(new DataMember("f", Int, 0, 3, 0));
        var memory = new ArrayTargetMemory(0x1000, BitConverter.GetBytes(0b111u));
        Assert.Equal("-1", new ValueFormatter(memory).Format(DebugValue.InMemory(s, 0x1000).Member("f")!));
    }

    [Theory]
    [InlineData((byte)'a', "'a'")]
    [InlineData((byte)0, "'\\0'")]
    [InlineData((byte)'\n', "'\\n'")]
    [InlineData((byte)1, "'\\x01'")]
    [InlineData((byte)0xff, "'\\xff'")]
    public void CharactersPrintAsLldbPrintsThem(byte value, string expected) =>
        Assert.Equal(expected, new ValueFormatter(new ArrayTargetMemory(0, [])).Format(DebugValue.FromBytes(Char, [value])));

    [Theory]
    [InlineData(new byte[] { (byte)'h', (byte)'i' }, "\"hi\"")]
    [InlineData(new byte[] { (byte)'"', (byte)'\\', (byte)'\'', (byte)'\t' }, "\"\\\"\\\\'\\t\"")]
    [InlineData(new byte[] { 0x0e, 0x7f }, "\"\\U0000000e\\U0000007f\"")]
    [InlineData(new byte[] { 0xc3, 0xbc, 0xe4, 0xb8, 0x96 }, "\"ü世\"")]
    [InlineData(new byte[] { 0x9f, (byte)'a', 0xc3 }, "\"\\x9fa\\xc3\"")]
    [InlineData(new byte[] { 0xc2, 0x85 }, "\"\\U00000085\"")]
    [InlineData(new byte[] { 0xed, 0xa0, 0x80 }, "\"\\xed\\xa0\\x80\"")]
    public void StringsKeepEveryByteAsLldbPrintsThem(byte[] bytes, string expected) =>
        Assert.Equal(expected, ValueFormatter.Quote(bytes, false));

    [Theory]
    [InlineData(-1L, 4, ValueFormat.Hex, "0xffffffff")]
    [InlineData(255L, 1, ValueFormat.Binary, "0b11111111")]
    [InlineData(-2L, 2, ValueFormat.Unsigned, "65534")]
    [InlineData(8L, 4, ValueFormat.Octal, "010")]
    public void FormatSuffixesChangeTheBase(long value, int size, ValueFormat format, string expected) =>
        Assert.Equal(expected, ValueFormatter.FormatInteger((ulong)value, true, size, format));

    [Fact]
    public void FloatsPrintWithRoundTripDigits()
    {
        var f = new ValueFormatter(new ArrayTargetMemory(0, []));
        Assert.Equal("0.100000001", f.Format(DebugValue.FromDouble(BuiltinTypes.Float, 0.1)));
        Assert.Equal("0.10000000000000001", f.Format(DebugValue.FromDouble(BuiltinTypes.Double, 0.1)));
        Assert.Equal("3.5", f.Format(DebugValue.FromDouble(BuiltinTypes.Double, 3.5)));
    }

    [Fact]
    public void UnreadableMemoryIsAReasonNotAnException()
    {
        var f = new ValueFormatter(new ArrayTargetMemory(0x1000, new byte[4]));
        Assert.Equal("<cannot read memory at 0x2000>", f.Format(DebugValue.InMemory(Int, 0x2000)));
    }

    [Theory]
    [InlineData("a[", "expression ends")]
    [InlineData("a @ b", "unexpected character '@'")]
    [InlineData("0x", "malformed")]
    [InlineData("'ab'", "not closed")]
    [InlineData("a ? b : c", "conditional operator")]
    [InlineData("a++", "would change the program")]
    [InlineData("\"s", "not closed")]
    [InlineData("f(1,", "expression ends")]
    [InlineData("a = ", "expression ends")]
    [InlineData("", "empty")]
    public void ParseErrorsNameTheProblem(string text, string fragment)
    {
        var e = Assert.Throws<ExpressionException>(() => Parser.Parse(text));
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void DeeplyNestedExpressionsAreRejectedNotOverflowed()
    {
        var text = new string('(', 5000) + "1" + new string(')', 5000);
        Assert.Throws<ExpressionException>(() => Parser.Parse(text));
    }
}
