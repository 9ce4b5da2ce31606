using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>Which page a mapping shows after a write into the file, in every era: a MAP_PRIVATE mapping keeps the
/// copy it made (a replacing writer unmaps only page-cache pages, even_cows=0), and only a long-term read-only pin
/// of a private file mapping unshares (gup_must_unshare: a non-anonymous page needs FOLL_LONGTERM and a COW
/// mapping) — a short-term read GUP, or a read-only pin of a shared mapping, leaves the page-cache page mapped.</summary>
public class PrivateCopyModelTests
{
    public static TheoryData<string, string> ErasAndWriters()
    {
        var data = new TheoryData<string, string>();
        foreach (var policy in PolicyCatalog.All)
            foreach (var verb in Verbs.All.Where(v => v.File is { Source: not FileSource.Zeros }))
                data.Add(policy.Name, verb.Keyword);
        return data;
    }

    public static TheoryData<string> Eras() => EraData.Eras();

    private static Content Mapping(Observation observation, int block) =>
        observation.Checks.Single().Views.Single(v => v is { File: "data", Path: ReadPath.Mapping }).Blocks[block].Content;

    [Theory]
    [MemberData(nameof(ErasAndWriters))]
    public void A_private_mappings_own_copy_survives_every_file_writer(string era, string writer)
    {
        var scenario = Repo.Parse($"backing xfs\nmap private\nfile size=32K block=16K\nstore gen=1 blocks=0\n{writer} gen=2 blocks=0-1\ncheck\n");
        var (observation, verdict) = Repo.Judge(scenario, PolicyCatalog.Find(era)!);

        Assert.Equal(Outcome.Ok, observation.Steps.Single(s => s.Step == 1).Outcome);
        Assert.Equal(Content.Data(1), Mapping(observation, 0)); // the copy the store made
        Assert.Equal(Content.Data(2), Mapping(observation, 1)); // the file's page, as the writer left it
        Assert.False(verdict.HasFindings, string.Join("; ", verdict.Findings));
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void A_short_term_read_of_a_private_file_mapping_leaves_the_page_cache_page_mapped(string era)
    {
        var scenario = Repo.Parse("backing ext4\nmap private\nfile size=16K\nodirect-write blocks=0\nwrite gen=2 blocks=0\ncheck\n");
        var (observation, verdict) = Repo.Judge(scenario, PolicyCatalog.Find(era)!);

        Assert.Equal(Content.Data(2), Mapping(observation, 0));
        Assert.False(verdict.HasFindings, string.Join("; ", verdict.Findings));
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void A_read_only_long_term_pin_of_a_shared_mapping_leaves_the_page_cache_page_mapped(string era)
    {
        var scenario = Repo.Parse("backing ext4\nmap shared\nfile size=16K\npin rdma-mr access=remote-read\nwrite gen=2 blocks=0\ncheck\n");
        var (observation, verdict) = Repo.Judge(scenario, PolicyCatalog.Find(era)!);

        Assert.Equal(Outcome.Ok, observation.Steps.Single(s => s.Step == 0).Outcome);
        Assert.Equal(Content.Data(2), Mapping(observation, 0));
        Assert.False(verdict.HasFindings, string.Join("; ", verdict.Findings));
    }
}
