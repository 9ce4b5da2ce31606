using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

public class MatrixTests
{
    private const string Matrix = """
        matrix m
        vary backing = ext4 memfd anon
        vary flush = fsync -
        exclude backing=anon flush=fsync
        backing {backing}
        file size=64K
        store gen=1
        {flush}
        check
        """;

    [Fact]
    public void ExpandsTheProductMinusExclusionsAndDropsDashLines()
    {
        var scenarios = ScenarioFile.Parse(Matrix, "m.scn");
        Assert.Equal(["m[ext4,fsync]", "m[ext4,-]", "m[memfd,fsync]", "m[memfd,-]", "m[anon,-]"], scenarios.Select(s => s.Name));
        Assert.Equal(["store", "fsync", "check"], scenarios[0].AllSteps().Select(s => s.Keyword));
        Assert.Equal(["store", "check"], scenarios[1].AllSteps().Select(s => s.Keyword));
        Assert.Equal("anon", scenarios[4].Backing.Name);
    }

    [Fact]
    public void InstancesKeepTheTemplatesLineNumbers()
    {
        var s = ScenarioFile.Parse(Matrix, "m.scn")[0];
        Assert.Equal(8, s.Steps[1].At.Line);
        Assert.Equal(s, ScenarioFile.ParseOne(s.Text, s.SourceFile, s.Name) with { Steps = s.Steps });
    }

    [Fact]
    public void AnUndeclaredPlaceholderIsAnErrorAtItsColumn()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse("matrix m\nvary a = 1\nbacking {b}\n", "m.scn"));
        var error = Assert.Single(e.Errors);
        Assert.Equal(new SourceSpan("m.scn", 3, 9), error.At);
        Assert.Contains("naming a variable declared by 'vary' or 'set' (a)", error.Message);
    }

    [Fact]
    public void AnErrorInOneInstanceNamesTheInstanceAndNothingParses()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse("matrix m\nvary b = ext4 anon\nbacking {b}\nfile size=64K\nfsync\ncheck\n", "m.scn"));
        var error = Assert.Single(e.Errors);
        Assert.Equal(5, error.At.Line);
        Assert.EndsWith("(in m[anon])", error.Message);
    }

    [Fact]
    public void ExcludeMustNameDeclaredVariables()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse("matrix m\nvary a = 1\nexclude z=1\n", "m.scn"));
        Assert.Contains("'z' is not a variable declared by 'vary' above", Assert.Single(e.Errors).Message);
    }

    [Fact]
    public void SetGivesEachInstanceTheValueOfItsLastMatchingLineAndLeavesNamesAlone()
    {
        const string text = """
            matrix m
            vary b = ext4 hugetlb
            vary m = shared private
            set size = 256K
            set size = 2M if b=hugetlb
            set size = 4M if b=hugetlb m=private
            backing {b}
            map {m}
            file size={size} block=4K
            check
            """;
        var sizes = ScenarioFile.Parse(text, "m.scn").ToDictionary(s => s.Name, s => s.Geometry.FileSize);
        Assert.Equal(new Dictionary<string, long>
        {
            ["m[ext4,shared]"] = 256 << 10,
            ["m[ext4,private]"] = 256 << 10,
            ["m[hugetlb,shared]"] = 2 << 20,
            ["m[hugetlb,private]"] = 4 << 20,
        }, sizes);
    }

    [Theory]
    [InlineData("set b = 1", 3, "a KEY not varied")]
    [InlineData("set s = 1 if z=1", 3, "'z' is not a variable declared by 'vary' above")]
    [InlineData("set s = 1 when b=ext4", 3, "expected 'set KEY = VALUE [if KEY=VALUE…]'")]
    [InlineData("set s = 1 if b=anon", 3, "'s' has no value in m[ext4]")]
    public void ABadSetLineIsAnErrorAtItsLine(string set, int line, string message)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse($"matrix m\nvary b = ext4 anon\n{set}\nbacking {{b}}\nfile size=64K\ncheck\n", "m.scn"));
        var error = e.Errors.First();
        Assert.Equal(line, error.At.Line);
        Assert.Contains(message, error.Message);
    }
}
