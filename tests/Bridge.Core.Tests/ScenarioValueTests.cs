using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>The forms argument values take in the scenario language (`pinbridge verbs` names them), each at its
/// bounds: what parses to what, and what is an error at the value's column.</summary>
public class ScenarioValueTests
{
    private static Scenario Parse(string text) => ScenarioFile.Parse(text, "v.scn").Single();

    private static ScenarioError Error(string text) => Assert.Single(Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(text, "v.scn")).Errors);

    /// <summary>The first error of a text that has several (a race whose bound is invalid also lacks a bound).</summary>
    private static ScenarioError FirstError(string text) => Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(text, "v.scn")).Errors[0];

    [Theory]
    [InlineData("65536", 65536L)]
    [InlineData("64K", 64L << 10)]
    [InlineData("64k", 64L << 10)]
    [InlineData("2M", 2L << 20)]
    [InlineData("2m", 2L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1g", 1L << 30)]
    public void A_size_is_bytes_or_a_number_of_KiB_MiB_or_GiB(string size, long bytes)
    {
        var s = Parse($"backing ext4\nfile size={size} block=4K\ncheck\n");
        Assert.Equal(bytes, s.Geometry.FileSize);
        Assert.Equal(4096, s.Geometry.BlockSize);
    }

    [Theory]
    [InlineData("64KB")]
    [InlineData("-4K")]
    [InlineData("4T")]
    [InlineData("99999999999999999999")]
    [InlineData("9999999999999G")]
    public void Anything_else_is_not_a_size(string size)
    {
        var e = Error($"backing ext4\nfile size={size}\ncheck\n");
        Assert.Equal(2, e.At.Line);
        Assert.Contains("a size such as 65536, 64K, 2M or 1G", e.Message);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("65535", true)]
    [InlineData("0", false)]
    [InlineData("65536", false)]
    [InlineData("+3", false)]
    [InlineData("x", false)]
    public void A_generation_is_1_to_65535(string gen, bool valid)
    {
        var text = $"backing ext4\nfile size=16K\nstore gen={gen}\ncheck\n";
        if (valid)
            Assert.Equal(uint.Parse(gen, System.Globalization.CultureInfo.InvariantCulture), Parse(text).Steps[0].Gen);
        else
            Assert.Contains("a generation number 1-65535 (0 is the initial fill)", Error(text).Message);
    }

    [Theory]
    [InlineData("all", "0-3")]
    [InlineData("2", "2")]
    [InlineData("0-3", "0-3")]
    [InlineData("3,0-1", "0-1,3")]
    [InlineData("1-2,2-3", "1-3")]
    [InlineData("0,2", "0,2")]
    public void Blocks_are_all_or_indexes_and_ranges_within_the_file(string blocks, string parsed)
    {
        var step = Parse($"backing ext4\nfile size=16K\nstore gen=1 blocks={blocks}\ncheck\n").Steps[0];
        Assert.Equal(parsed, step.Blocks.ToString());
    }

    [Theory]
    [InlineData("4")]
    [InlineData("2-1")]
    [InlineData("0-4")]
    [InlineData("1,")]
    [InlineData("a-b")]
    public void Blocks_outside_the_file_or_backwards_are_an_error_naming_the_range(string blocks)
    {
        var e = Error($"backing ext4\nfile size=16K\nstore gen=1 blocks={blocks}\ncheck\n");
        Assert.Equal((3, 20), (e.At.Line, e.At.Column)); // the value's column
        Assert.Contains("within 0-3", e.Message);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("3s", 3000)]
    [InlineData("1m", 60000)]
    public void A_race_runs_for_milliseconds_seconds_or_minutes(string duration, int milliseconds)
    {
        var race = Parse($"backing ext4\nfile size=16K\nrace for={duration}\n  store gen=1\nend\ncheck\n").Steps[0];
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), race.Args.For);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("5h")]
    [InlineData("s")]
    public void Another_duration_is_an_error(string duration) =>
        Assert.Contains("a duration such as 500ms, 3s or 1m", FirstError($"backing ext4\nfile size=16K\nrace for={duration}\n  store gen=1\nend\ncheck\n").Message);

    [Theory]
    [InlineData("1", true)]
    [InlineData("1000000", true)]
    [InlineData("0", false)]
    [InlineData("1000001", false)]
    public void A_race_count_is_1_to_a_million(string count, bool valid)
    {
        var text = $"backing ext4\nfile size=16K\nrace count={count}\n  store gen=1\nend\ncheck\n";
        if (valid)
            Assert.Equal(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), Parse(text).Steps[0].Args.Count);
        else
            Assert.Contains("a count 1-1000000", FirstError(text).Message);
    }

    [Theory]
    [InlineData("out2", true)]
    [InlineData("a_b-C9", true)]
    [InlineData("data", false)]
    [InlineData("src", false)]
    [InlineData("a/b", false)]
    [InlineData("abcdefghijabcdefghijabcdefghijabc", false)]
    public void An_output_file_is_named_by_letters_digits_dash_and_underscore_but_not_data_or_src(string name, bool valid)
    {
        var text = $"backing ext4\nfile size=16K\nodirect-write to={name}\ncheck\n";
        if (valid)
            Assert.Equal(name, Parse(text).Steps[0].Args.Target);
        else
            Assert.Contains("a file name of letters, digits, '-' and '_' (not 'data' or 'src')", Error(text).Message);
    }

    [Fact]
    public void A_copy_goes_to_out_when_no_file_is_named() =>
        Assert.Equal("out", Parse("backing ext4\nfile size=16K\nodirect-write\ncheck\n").Steps[0].Args.Target);
}
