using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>Errors a scenario file can have that the other parser tests do not reach: each says what was expected
/// and lists the choices from the tables (verbs, backings), at the line and column of the offending word.</summary>
public class ParserMessageTests
{
    private static ScenarioError[] Errors(string text) => [.. Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(text, "m.scn")).Errors];

    private static void AssertError(string text, int line, int column, string fragment)
    {
        var errors = Errors(text);
        Assert.True(errors.Any(e => e.At.Line == line && e.At.Column == column && e.Message.Contains(fragment, StringComparison.Ordinal)),
            $"no error at {line}:{column} saying \"{fragment}\"; got:\n{string.Join('\n', errors.Select(e => e.ToString()))}");
    }

    [Fact]
    public void An_unknown_step_lists_the_headers_and_every_verb() =>
        AssertError("backing ext4\nfile size=16K\nscribble gen=1\ncheck\n", 3, 1,
            $"unknown step 'scribble'; expected a header (scenario, backing, map, file) or a step: {string.Join(", ", Verbs.All.Select(v => v.Keyword))}, end");

    [Fact]
    public void A_step_a_race_cannot_hold_lists_those_it_can() =>
        AssertError("backing ext4\nfile size=16K\nrace count=2\n  truncate size=8K\nend\ncheck\n", 4, 3,
            $"'truncate' cannot run inside a race; allowed there: {string.Join(", ", Verbs.All.Where(v => v.AllowedInRace).Select(v => v.Keyword))}");

    [Theory]
    [InlineData("file size=16K init=zero", 2, 20, "expected init=data or init=hole")]
    [InlineData("file size=16K sparse", 2, 15, "expected 'file size=S [block=B] [init=data|hole]'")]
    [InlineData("file block=4K", 2, 1, "size= is missing")]
    [InlineData("map shared now", 2, 5, "expected 'map shared' or 'map private'")]
    [InlineData("map", 2, 1, "expected 'map shared' or 'map private'")]
    [InlineData("scenario", 2, 1, "expected 'scenario NAME'")]
    public void A_bad_header_says_its_form(string header, int line, int column, string fragment) =>
        AssertError($"backing ext4\n{header}\nfile size=16K\ncheck\n", line, column, fragment);

    [Fact]
    public void An_argument_the_verb_does_not_take_shows_the_verbs_usage() =>
        AssertError("backing ext4\nfile size=16K\nfsync now\ncheck\n", 3, 7, "unexpected 'now'; expected 'fsync'");

    [Fact]
    public void Access_on_a_path_without_choices_says_it_always_pins_for_writing() =>
        AssertError("backing ext4\nfile size=16K\npin uring-register access=remote-read\ncheck\n", 3, 27, "no access= (uring-register always pins for writing)");

    [Fact]
    public void A_hugetlb_file_must_be_whole_huge_pages()
    {
        Assert.Contains(Errors("backing hugetlb\nfile size=1M\ncheck\n"), e => e.Message == "expected a file size that is a multiple of 2M on hugetlb");
        AssertError("backing hugetlb\nfile size=4M\ntruncate size=1M\ncheck\n", 3, 1, "expected a size that is a multiple of 2M on hugetlb");
    }

    [Fact]
    public void A_file_without_its_headers_or_steps_says_what_is_missing()
    {
        var noHeaders = Errors("check\n");
        Assert.True(noHeaders.Length >= 2, string.Join('\n', noHeaders.Select(e => e.ToString())));
        Assert.Contains(noHeaders, e => e.Message == $"expected a 'backing NAME' header ({string.Join(", ", BackingTable.All.Select(b => b.Name))})");
        Assert.Contains(noHeaders, e => e.Message == "expected 'file size=S [block=B]' before the first step");
        var noFile = Errors("backing ext4\n");
        Assert.Contains(noFile, e => e.Message == "expected a 'file size=S [block=B]' header");
        AssertError("backing ext4\nfile size=16K\n", 3, 1, "expected steps after the headers");
    }

    [Fact]
    public void A_private_mapping_is_the_map_header_and_a_shared_one_the_default()
    {
        Assert.Equal(MapKind.Private, ScenarioFile.Parse("backing ext4\nmap private\nfile size=16K\ncheck\n", "m.scn")[0].Map);
        Assert.Equal(MapKind.Shared, ScenarioFile.Parse("backing ext4\nmap shared\nfile size=16K\ncheck\n", "m.scn")[0].Map);
        Assert.Equal(MapKind.Shared, ScenarioFile.Parse("backing ext4\nfile size=16K\ncheck\n", "m.scn")[0].Map);
        Assert.Equal(InitialFill.Data, ScenarioFile.Parse("backing ext4\nfile size=16K init=data\ncheck\n", "m.scn")[0].Init);
    }
}
