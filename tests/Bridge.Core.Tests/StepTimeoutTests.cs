using Bridge.Core.Execution;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>--timeout: the durations it accepts, and how long a scenario may take with it.</summary>
public class StepTimeoutTests
{
    [Theory]
    [InlineData("90s", 90_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1ms", 1)]
    [InlineData("60m", 3_600_000)]
    public void ADurationInRangeIsATimeout(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), StepTimeouts.Parse(text));

    [Theory]
    [InlineData("0s")]
    [InlineData("61m")]
    [InlineData("-5s")]
    [InlineData("5")]
    [InlineData("1h")]
    [InlineData("")]
    [InlineData("99999999999999s")]
    public void AnythingElseIsRejected(string text)
    {
        Assert.Null(StepTimeouts.Parse(text));
        Assert.Contains(StepTimeouts.Max.TotalMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture) + "m", StepTimeouts.Expected);
    }

    [Fact]
    public void AScenarioMayTakeItsRacesBoundsPlusOneTimeout()
    {
        var scenario = ScenarioFile.Parse("backing ext4\nfile size=64K\nstore gen=1\nrace for=3s\n  msync\nend\nrace count=5\n  fsync\nend\nfsync\ncheck\n", "t.scn")[0];
        Assert.Equal(TimeSpan.FromSeconds(3) + StepTimeouts.CountOnlyRaceBound + TimeSpan.FromSeconds(7), StepTimeouts.ScenarioBound(scenario, TimeSpan.FromSeconds(7)));
    }
}
