using System.Text.RegularExpressions;

namespace Bridge.Cli.Tests;

/// <summary>What a terminal user sees, through a real pseudo-terminal (script(1)): one progress line redrawn in place
/// and erased before the table, the table and findings within COLUMNS, colour only on a terminal and never with
/// NO_COLOR; and nothing of the kind through a pipe.</summary>
public partial class TerminalTests
{
    private static string OnTerminal(string environment, params string[] args)
    {
        Consumers.Require("script");
        var bridge = Path.Combine(AppContext.BaseDirectory, "pinbridge");
        var typescript = Path.GetTempFileName();
        try
        {
            var command = $"env {environment} '{bridge}' {string.Join(' ', args.Select(a => $"'{a}'"))}";
            var (code, _, stderr) = Consumers.Run("script", ["-qec", command, typescript]);
            Assert.True(code is 0 or 1, $"script: {code} {stderr}");
            return File.ReadAllText(typescript);
        }
        finally
        {
            File.Delete(typescript);
        }
    }

    /// <summary>The screen's lines as a terminal leaves them: each line's last carriage-return segment, escapes removed.</summary>
    private static List<string> Screen(string typescript) =>
        [.. typescript.Split('\n').Skip(1).SkipLast(1).Select(l => Escape().Replace(l.Split('\r').LastOrDefault(x => x.Length > 0) ?? "", ""))];

    [Fact]
    public void OnAnEightyColumnTerminalEveryLineFitsAndTheProgressLineIsErased()
    {
        var typescript = OnTerminal("COLUMNS=80 NO_COLOR=", "sim", "--policy", "linux-2019-legacy", "--suite", "seed", "--suite", "default");
        var screen = Screen(typescript);
        Assert.All(screen, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Contains("\r\e[2K[sim:linux-2019-legacy", typescript); // drawn in place
        Assert.DoesNotContain(screen, l => l.StartsWith("[sim:", StringComparison.Ordinal)); // and gone
        Assert.Contains(screen, l => l.Contains("lost-write: data blocks 0-3", StringComparison.Ordinal));
        Assert.Contains("\e[", typescript.Replace("\r\e[2K", "", StringComparison.Ordinal)); // colour on a terminal
    }

    [Fact]
    public void NoColorMeansNoColour()
    {
        var typescript = OnTerminal("COLUMNS=100 NO_COLOR=1", "sim", "--policy", "linux-2019-legacy", "--suite", "seed");
        Assert.DoesNotMatch(@"\e\[[0-9;]*m", typescript);
    }

    [Fact]
    public void APipeGetsNoProgressAndNoColour()
    {
        var (code, stdout, stderr) = BridgeProcess.Run("sim", "--policy", "linux-2019-legacy", "--suite", "seed", "--suite", "default");
        Assert.Equal(1, code);
        Assert.DoesNotContain("\e", stdout + stderr);
        Assert.Equal("", stderr);
    }

    [GeneratedRegex(@"\e\[[0-9;?]*[A-Za-z]|\e[=>]")]
    private static partial Regex Escape();
}
