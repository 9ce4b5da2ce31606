using System.Text;
using Bridge.Targets.Vm;

namespace Bridge.Targets.Tests.Vm;

public sealed class GuestStreamDecoderTests
{
    private const string End = "bridge-end-0123";

    /// <summary>What init sends: the command's bytes, then "\n" END "\n"; fed whole and one byte at a time.</summary>
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("one\n", new[] { "one" })]
    [InlineData("one", new[] { "one" })]
    [InlineData("one\ntwo", new[] { "one", "two" })]
    [InlineData("one\n\n", new[] { "one", "" })]
    [InlineData("\n", new[] { "" })]
    [InlineData("\n\n\nx\n", new[] { "", "", "", "x" })]
    [InlineData("ünï ☃\n", new[] { "ünï ☃" })]
    public void CommandOutputComesBackExactly(string output, string[] expected)
    {
        var bytes = Encoding.UTF8.GetBytes(output + "\n" + End + "\nafter the end\n");

        var whole = new GuestStreamDecoder(End);
        var wholeLines = whole.Feed(bytes).Concat(whole.Close()).ToList();
        var bytewise = new GuestStreamDecoder(End);
        var bytewiseLines = bytes.SelectMany(b => bytewise.Feed([b])).Concat(bytewise.Close()).ToList();

        Assert.Equal(expected, wholeLines);
        Assert.Equal(expected, bytewiseLines);
        Assert.True(whole.Ended && bytewise.Ended);
    }

    [Fact]
    public void StreamCutOffByAPanicKeepsWhatArrived()
    {
        var decoder = new GuestStreamDecoder(End);
        var lines = decoder.Feed("done\n\nhalf a li"u8).Concat(decoder.Close()).ToList();

        Assert.Equal(["done", "", "half a li"], lines);
        Assert.False(decoder.Ended);
    }
}
