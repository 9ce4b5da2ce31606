using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>One pass reports every error of a file, each at the line that causes it (issue 12's parser items).</summary>
public class ParserRecoveryTests
{
    private static IReadOnlyList<ScenarioError> Errors(string text, string file = "r.scn") =>
        Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(text, file)).Errors;

    private static List<(int, int)> Positions(string text) => Errors(text).Select(e => (e.At.Line, e.At.Column)).ToList();

    [Fact]
    public void AfterABadFileHeaderTheStepErrorsAreStillReported() =>
        Assert.Equal([(2, 11), (3, 1), (4, 11)], Positions("backing ext4\nfile size=lots\nstor gen=1\nstore gen=x\ncheck\n"));

    [Fact]
    public void AfterABadBackingAndBlockTheStepErrorsAreStillReported() =>
        Assert.Equal([(1, 9), (2, 21), (4, 11)], Positions("backing zfs\nfile size=64K block=3K\nstore gen=1\nstore gen=x\ncheck\n"));

    [Fact]
    public void AMissingFileHeaderIsReportedOnceAndTheStepsAreStillParsed()
    {
        var errors = Errors("backing ext4\nstore gen=1\nstore gen=x\nfsync\nfsync\ncheck\n");
        Assert.Equal([(2, 1), (3, 11)], errors.Select(e => (e.At.Line, e.At.Column)));
        Assert.Contains("before the first step", errors[0].Message);
    }

    [Fact]
    public void ARaceWithABadBoundStillPairsWithItsEnd()
    {
        var errors = Errors("backing ext4\nfile size=64K\nrace for=forever\n  truncate size=32K\nend\ncheck\n");
        Assert.Equal([(3, 10), (4, 3)], errors.Select(e => (e.At.Line, e.At.Column)));
        Assert.Contains("'truncate' cannot run inside a race", errors[1].Message);
        Assert.DoesNotContain(errors, e => e.Message.Contains("'end' without a race"));
    }

    [Fact]
    public void AHeaderGivenTwiceIsAnError() =>
        Assert.Equal([(3, 1)], Positions("backing ext4\nfile size=64K\nbacking xfs\ncheck\n"));

    [Fact]
    public void ADuplicateScenarioNamePointsAtTheSecondNameNotAComment()
    {
        const string text = "# a comment first\n\nscenario twin\nbacking ext4\nfile size=64K\ncheck\n";
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.ParseAll([(text, "a.scn"), (text, "b.scn")]));
        var error = Assert.Single(e.Errors);
        Assert.Equal(new SourceSpan("b.scn", 3, 10), error.At);
        Assert.Contains("also at a.scn:3:10", error.Message);
    }

    [Fact]
    public void ADuplicateNameFromTheFileNamePointsAtItsFirstWord()
    {
        const string text = "# named after the file\nbacking ext4\nfile size=64K\ncheck\n";
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.ParseAll([(text, "one/same.scn"), (text, "two/same.scn")]));
        Assert.Equal(new SourceSpan("two/same.scn", 2, 1), Assert.Single(e.Errors).At);
    }

    [Theory]
    [InlineData("exclude backing=zfs", 9, "'zfs' is not a value of 'backing' (did you mean 'xfs'?); expected one of: ext4 xfs")]
    [InlineData("exclude backing=ext5", 9, "(did you mean 'ext4'?)")]
    [InlineData("exclude backng=ext4", 9, "'backng' is not a variable declared by 'vary' above (did you mean 'backing'?)")]
    [InlineData("exclude map=shared", 9, "'map' is not a variable declared by 'vary' above")]
    [InlineData("set size = 1M if backing=zfs", 18, "'zfs' is not a value of 'backing'")]
    [InlineData("set size = 1M if backing=ext4 backing=xfs", 31, "'backing' given twice")]
    public void ExcludeAndSetNameOnlyDeclaredVariablesAndValues(string clause, int column, string fragment)
    {
        var errors = Errors($"matrix m\nvary backing = ext4 xfs\n{clause}\nbacking {{backing}}\nfile size=64K\ncheck\n");
        var error = Assert.Single(errors);
        Assert.Equal(new SourceSpan("r.scn", 3, column), error.At);
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void AVaryValueGivenTwiceIsAnError() =>
        Assert.Contains("value 'ext4' given twice", Assert.Single(Errors("matrix m\nvary b = ext4 xfs ext4\nbacking {b}\nfile size=64K\ncheck\n")).Message);

    [Fact]
    public void AnErrorInAnInstanceIsAtTheTemplatesColumnAndReportedOnceForAllInstances()
    {
        // "store gen={g} blocks=99": the value 99 is at column 22 of the template, whatever {g} became.
        var error = Assert.Single(Errors("matrix m\nvary g = 1 22 333\nbacking ext4\nfile size=64K\nstore gen={g} blocks=99\ncheck\n"));
        Assert.Equal(new SourceSpan("r.scn", 5, 22), error.At);
        Assert.EndsWith("(in m[1], m[22], m[333])", error.Message);
        // An error inside a substituted value points at its placeholder.
        var gen = Assert.Single(Errors("matrix m\nvary g = 0 1\nbacking ext4\nfile size=64K\nstore gen={g} blocks=1\ncheck\n"));
        Assert.Equal(new SourceSpan("r.scn", 5, 11), gen.At);
    }

    [Fact]
    public void UnknownWordsGetADidYouMean()
    {
        Assert.Contains("(did you mean 'store'?)", Errors("backing ext4\nfile size=64K\nstor gen=1\ncheck\n")[0].Message);
        Assert.Contains("(did you mean 'tmpfs'?)", Errors("backing tmpf\nfile size=64K\ncheck\n")[0].Message);
        Assert.Contains("(did you mean 'blocks'?)", Errors("backing ext4\nfile size=64K\nstore gen=1 block=1\ncheck\n")[0].Message);
        Assert.Contains("(did you mean 'async'?)", Errors("backing ext4\nfile size=64K\nmsync asnyc\ncheck\n")[0].Message);
    }
}
