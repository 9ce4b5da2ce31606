using System.Text;
using Bridge.Core.Scenarios;

namespace Bridge.Cli.Tests;

/// <summary>The worst inputs the fuzzer knows, through the real `pinbridge run` and `pinbridge sim`: exit 2, nothing run,
/// no stack trace, bounded output in which every character is visible. And the limits the parser enforces are the
/// ones `pinbridge verbs` and the README state.</summary>
public class HostileInputCliTests
{
    public static TheoryData<string, string> Worst => new()
    {
        { "a line of 100,000 braces", "matrix m\nvary a = 1\n" + new string('{', 100_000) + "\nbacking ext4\nfile size=64K\ncheck\n" },
        { "9,999 bad lines", "backing ext4\nfile size=64K\n" + string.Concat(Enumerable.Repeat("stor gen=x\n", 9_999)) + "check\n" },
        { "99,999 lines", string.Concat(Enumerable.Repeat("x\n", 99_999)) },
        { "3 MB of one line", new string('a', 3 << 20) },
        { "terminal escapes and raw bytes", "backing ext4\u001b]0;pwned\u0007\nfile size=64K\u001b[2J\nstore gen=1\0\u0008\u009b31m\ncheck\u202e\n" },
        { "digits of other scripts and numbers past 2^64", "backing ext4\nfile size=٦٤K\nstore gen=٣ blocks=0-99999999999999999999\nrace for=99999999m\n  store gen=2\nend\ncheck\n" },
        { "a matrix of 10^12 instances", "matrix m\n" + string.Concat(Enumerable.Range(0, 12).Select(i => $"vary v{i} = 0 1 2 3 4 5 6 7 8 9\n")) + "backing ext4\nfile size=64K\ncheck\n" },
        { "duplicate keys in exclude and set", "matrix m\nvary b = ext4 xfs\nexclude b=ext4 b=xfs\nset s = 1 if b=ext4 b=xfs\nbacking {b}\nfile size=64K\ncheck\n" },
        { "a file of 4 GiB blocks", "backing ext4\nfile size=8G block=4G\ncheck\n" },
        { "a hundred stores over a 1 GiB file", "backing ext4\nfile size=1G\n" + string.Concat(Enumerable.Range(1, 100).Select(g => $"store gen={g}\n")) + "check\n" },
    };

    [Theory]
    [MemberData(nameof(Worst))]
    public void TheWorstInputsExitTwoWithBoundedVisibleErrorsAndNoStackTrace(string name, string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bridge-hostile-{Guid.NewGuid():N}.scn");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        try
        {
            foreach (var command in new[] { new[] { "sim", path }, ["run", path] })
            {
                var (code, stdout, stderr) = BridgeProcess.Run(command);
                Assert.True(code == 2, $"{name}: pinbridge {command[0]} exited {code}\n{stderr[..Math.Min(2000, stderr.Length)]}");
                Assert.Equal("", stdout);
                Assert.True(stderr.Length < 32 << 10, $"{name}: {stderr.Length} bytes of errors");
                Assert.True(stderr.Split('\n').Length <= InputLimits.ErrorsPrinted.Max + 2, $"{name}: {stderr.Split('\n').Length} lines");
                Assert.DoesNotContain("Unhandled exception", stderr);
                Assert.DoesNotContain("   at ", stderr);
                Assert.True(Printable.FirstHidden(stderr.Replace("\n", "")) < 0, $"{name}: a raw control character in\n{stderr}");
                Assert.Contains(Path.GetFileName(path) + ":", stderr);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AScenarioFileWithoutAnEndIsReadOnlyUpToTheLimit()
    {
        var (code, _, stderr) = BridgeProcess.Run("sim", "/dev/zero");
        Assert.Equal(2, code);
        Assert.Contains("/dev/zero:1:", stderr);
        Assert.Contains($"longer than {InputLimits.FileChars.Max:N0} characters", stderr);
    }

    [Fact]
    public void VerbsAndTheReadmeStateTheLimitsTheParserEnforces()
    {
        var (code, stdout, _) = BridgeProcess.Run("verbs");
        Assert.Equal(0, code);
        var readme = File.ReadAllText(Path.Combine(BridgeProcess.RepoRoot, "README.md"));
        foreach (var limit in InputLimits.All)
        {
            Assert.Contains(stdout.Split('\n'), l => l.Contains(limit.Name, StringComparison.Ordinal) && l.Contains($"{limit.Max:N0} {limit.Unit}", StringComparison.Ordinal));
            Assert.Contains($"| {limit.Name} | {limit.Max:N0} {limit.Unit} | {limit.Why} |", readme);
        }
    }
}
