using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>Inputs that once crashed the parser or cost it seconds and gigabytes: each is now an error at its
/// file:line:col. Limits are read from <see cref="InputLimits"/>, the table the parser enforces.</summary>
public class HostileInputTests
{
    private const string Head = "backing ext4\nfile size=64K block=4K\n";

    private static ScenarioException Rejected(string text, string file = "h.scn")
    {
        // No wall-clock bound here (a loaded machine would fail it): the fuzzer (Fuzz/) holds every parse to a CPU-time budget.
        return Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(text, file));
    }

    private static ScenarioError RejectedAt(string text, int line, int column, string fragment)
    {
        var e = Rejected(text);
        var error = e.Errors.FirstOrDefault(x => x.At == new SourceSpan("h.scn", line, column) && x.Message.Contains(fragment));
        Assert.True(error is not null, $"no error at {line}:{column} containing \"{fragment}\"; got:\n{string.Join('\n', e.Errors)}");
        return error!;
    }

    [Theory]
    [InlineData("store gen=1 blocks=0-99999999999999999999", 20, "within 0-15 for blocks")]
    [InlineData("store gen=1 blocks=\u0661", 20, "within 0-15 for blocks")] // Arabic-Indic one
    [InlineData("store gen=1 blocks=\u0660-\u0663", 20, "within 0-15 for blocks")]
    [InlineData("store gen=\u0663", 11, "a generation number 1-65535")]
    [InlineData("store gen=\uFF11", 11, "a generation number 1-65535")] // fullwidth one
    [InlineData("store gen=4294967297", 11, "a generation number 1-65535")]
    [InlineData("truncate size=99999999999999999999K", 15, "a size such as")]
    [InlineData("race count=99999999999999999999\n  store gen=1\nend", 12, "a count 1-1000000")]
    [InlineData("race for=99999999m\n  store gen=1\nend", 10, "at most 10m")]
    [InlineData("race for=9223372036854775807ms\n  store gen=1\nend", 10, "at most 10m")]
    public void NumbersPastEveryTypeAndDigitsOfOtherScriptsAreErrors(string step, int column, string fragment) =>
        RejectedAt(Head + step + "\ncheck\n", 3, column, fragment);

    [Theory]
    [InlineData("file size=4G block=4G", 20, "at most 2M")] // (int)4G == 0: once a division by zero
    [InlineData("file size=8G block=6G", 11, "from 4K to 1G")]
    [InlineData("file size=2G", 11, "from 4K to 1G")] // a file of 2 GiB overflowed int offsets at run time
    [InlineData("file size=0", 11, "from 4K to 1G")]
    [InlineData("file size=64K size=128K", 15, "'size' given twice")]
    public void FileSizesAndBlockSizesAreHeldToTheLimits(string header, int column, string fragment) =>
        RejectedAt($"backing ext4\n{header}\ncheck\n", 2, column, fragment);

    [Fact]
    public void TheLargestFileTheLimitsAllowIsAccepted()
    {
        var size = InputLimits.DataFileSize.Max;
        var block = size / InputLimits.Blocks.Max;
        var s = ScenarioFile.Parse($"backing ext4\nfile size={size} block={block}\nstore gen=1\ncheck\n", "h.scn").Single();
        Assert.Equal(InputLimits.Blocks.Max, s.Geometry.BlockCount);
        RejectedAt($"backing ext4\nfile size={size + block} block={block}\ncheck\n", 2, 11, "from 4K to 1G");
    }

    [Fact]
    public void WorkGrowingAsStepsTimesBlocksIsBounded()
    {
        // A hundred stores of every block of a 1 GiB file: 26 million block-steps; once gigabytes of oracle state.
        var size = InputLimits.DataFileSize.Max;
        var stores = string.Concat(Enumerable.Range(1, 100).Select(g => $"store gen={g}\n"));
        var perStep = InputLimits.Blocks.Max;
        var crossing = (int)(InputLimits.BlockSteps.Max / perStep) + 1; // the store that crosses the limit
        RejectedAt($"backing ext4\nfile size={size}\n{stores}check\n", 2 + crossing, 1, "block-steps per scenario");
    }

    [Fact]
    public void ARaceCountTimesItsBlocksIsBounded() =>
        RejectedAt($"backing ext4\nfile size=1G\nrace count={InputLimits.RaceCount.Max}\n  store gen=1\nend\ncheck\n", 3, 1, $"writes 262,144,000,000 blocks; expected at most {InputLimits.RaceWork.Max:N0}");

    [Fact]
    public void StepsPerScenarioAreBounded()
    {
        var steps = string.Concat(Enumerable.Repeat("fsync\n", (int)InputLimits.Steps.Max + 5));
        var e = Rejected(Head + steps + "check\n");
        var error = Assert.Single(e.Errors, x => x.Message.Contains("steps; expected at most"));
        Assert.Equal(3 + (int)InputLimits.Steps.Max, error.At.Line);
    }

    [Fact]
    public void ALineOfAHundredThousandBracesIsOneErrorAndQuick()
    {
        var error = Assert.Single(Rejected("matrix m\nvary a = 1\n" + new string('{', 100_000) + "\n" + Head + "check\n").Errors);
        Assert.Equal(new SourceSpan("h.scn", 3, (int)InputLimits.LineLength.Max + 1), error.At);
        // Within the line limit, unclosed braces are one error per line, found in one pass.
        var line = new string('{', (int)InputLimits.LineLength.Max);
        var errors = Rejected($"matrix m\nvary a = 1\n{string.Concat(Enumerable.Repeat(line + "\n", 500))}{Head}check\n").Errors;
        Assert.Equal(500, errors.Count);
        Assert.All(errors, x => Assert.Contains("'{' without its '}'", x.Message));
    }

    [Fact]
    public void TooManyLinesAndTooManyCharactersAreOneErrorWhereTheLimitIsCrossed()
    {
        var lines = string.Concat(Enumerable.Repeat("stor\n", 99_999));
        var error = Assert.Single(Rejected(Head + lines).Errors);
        Assert.Equal((int)InputLimits.Lines.Max + 1, error.At.Line);
        var chars = string.Concat(Enumerable.Repeat(new string('#', 999) + "\n", 2000));
        var big = Assert.Single(Rejected(chars).Errors);
        Assert.Contains("longer than", big.Message);
        Assert.Equal(((int)InputLimits.FileChars.Max / 1000) + 1, big.At.Line);
    }

    [Fact]
    public void AMatrixOfAMillionInstancesIsAnErrorAtTheVaryLineThatCrossesTheLimit()
    {
        var vary = string.Concat(Enumerable.Range(0, 9).Select(i => $"vary v{i} = 1 2 3 4 5 6 7 8 9 10\n"));
        var errors = Rejected("matrix big\n" + vary + Head + "check\n").Errors;
        var error = Assert.Single(errors);
        var crossing = (int)Math.Ceiling(Math.Log10(InputLimits.MatrixInstances.Max + 1)); // 10^k > limit
        Assert.Equal(1 + crossing, error.At.Line);
        Assert.Contains($"more than {InputLimits.MatrixInstances.Max:N0} instances", error.Message);
    }

    [Fact]
    public void DuplicateKeysInExcludeAndSetClausesAreErrorsNotCrashes()
    {
        const string vary = "matrix m\nvary b = ext4 xfs\n";
        var exclude = RejectedAt(vary + "exclude b=ext4 b=xfs\nbacking {b}\nfile size=64K\ncheck\n", 3, 16, "'b' given twice");
        Assert.Contains("expected each variable once", exclude.Message);
        RejectedAt(vary + "set size = 1M if b=ext4 b=xfs\nbacking {b}\nfile size={size}\ncheck\n", 3, 25, "'b' given twice");
    }

    [Fact]
    public void ControlCharactersAndEscapesAreErrorsAndNeverEchoedRaw()
    {
        var e = Rejected(Head + "store gen=1\u001b[2J\u0007\ncheck\n\0\u202Escenario\n");
        Assert.Equal([(3, 12), (5, 1)], e.Errors.Select(x => (x.At.Line, x.At.Column)));
        var printed = string.Join('\n', e.Report());
        Assert.DoesNotContain(printed, c => c < ' ' && c != '\n' || c is '\u007f' or '\u202E');
        Assert.Contains("\\e", printed);
        Assert.Contains("\\x00", printed);
    }

    /// <summary>The verbs as an unknown step's message lists them.</summary>
    private static string VerbList => string.Join(", ", Verbs.All.Select(v => v.Keyword));

    [Fact]
    public void ALongWordIsElidedInTheMessage()
    {
        var word = new string('x', 900);
        var error = RejectedAt(Head + word + "\ncheck\n", 3, 1, "unknown step");
        // The message lists every verb (rows); the word itself is cut to a few dozen characters.
        Assert.True(error.Message.Length < 200 + VerbList.Length, error.Message);
        Assert.Contains("(900 characters)", error.Message);
    }

    [Fact]
    public void ThousandsOfErrorsPrintTheFirstFewAndACount()
    {
        var lines = string.Concat(Enumerable.Repeat("stor gen=x\n", 9_000));
        var e = Rejected(Head + lines + "check\n");
        Assert.Equal(9_000, e.Errors.Count);
        var report = e.Report().ToList();
        Assert.Equal((int)InputLimits.ErrorsPrinted.Max + 1, report.Count);
        Assert.Equal($"… and {9_000 - InputLimits.ErrorsPrinted.Max:N0} more errors (fix these first)", report[^1]);
        Assert.True(e.Message.Length < (InputLimits.ErrorsPrinted.Max + 1) * (200 + VerbList.Length));
    }
}
