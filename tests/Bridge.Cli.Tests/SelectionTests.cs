namespace Bridge.Cli.Tests;

/// <summary>--only and --list: kselftest's -t and -l for matrix instances.</summary>
public class SelectionTests
{
    private static string[] List(params string[] args)
    {
        var (code, stdout, stderr) = BridgeProcess.Run(["sim", "--suite", "default", "--list", .. args]);
        Assert.True(code == 0, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void ListPrintsOneNamePerLineAndRunsNothing()
    {
        var all = List();
        Assert.True(all.Length > 100, $"{all.Length} names");
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.All(all, n => Assert.Equal(n.Trim(), n));
    }

    [Fact]
    public void OnlyKeepsTheInstancesItsGlobMatchesBracketsLiteral()
    {
        var all = List();
        var only = List("--only", "uring[ext4,shared,*]");
        Assert.NotEmpty(only);
        Assert.True(only.Length < all.Length);
        Assert.All(only, n => Assert.True(n.StartsWith("uring[ext4,shared,", StringComparison.Ordinal) && n.EndsWith(']'), n));
        Assert.Equal(all.Where(n => n.StartsWith("uring[ext4,shared,", StringComparison.Ordinal)), only);
        Assert.Equal(only.Concat(all.Where(n => n.StartsWith("anon[", StringComparison.Ordinal))).Order(), List("--only", "uring[ext4,shared,*]", "--only", "anon[*").Order());
    }

    [Fact]
    public void AnOnlyThatMatchesNothingIsAUsageError()
    {
        var (code, _, stderr) = BridgeProcess.Run("sim", "--suite", "default", "--only", "urnig[*");
        Assert.Equal(2, code);
        Assert.Contains("--only 'urnig[*' matches none of the", stderr);
    }

    [Fact]
    public void OnlyRunsTheSelectedScenarios()
    {
        using var output = new TempOutput();
        var (code, _, stderr) = BridgeProcess.Run("sim", "--suite", "default", "--only", "uring[ext4,shared,*]", "--output", output.Path);
        Assert.True(code == 0, stderr);
        Assert.Equal(List("--only", "uring[ext4,shared,*]"), Consumers.Jq<string[]>(output["results.json"], "[.targets[0].scenarios[].name]"));
    }
}
