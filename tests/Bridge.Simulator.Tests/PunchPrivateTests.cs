using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>A punch over whole pages takes a MAP_PRIVATE mapping's COW copies too where the backing's row says so
/// (hugetlbfs: hugetlb_vmdelete_list zaps every vma), and leaves them elsewhere (truncate_pagecache_range,
/// even_cows=0): the model reads what the row says, in every era, and the oracle agrees. Found on 6.18 by
/// pinbridge explore (seed 2026), where the model kept hugetlb's private copies and the kernel did not.</summary>
public class PunchPrivateTests
{
    public static TheoryData<string, string> ErasAndFileBackings() => EraData.WithFileBackings();

    [Theory]
    [MemberData(nameof(ErasAndFileBackings))]
    public void A_whole_page_punch_takes_private_copies_only_where_the_backing_row_says(string era, string backingName)
    {
        var backing = BackingTable.Find(backingName)!;
        var size = backing.PageSize * 2;
        var scenario = Repo.Parse($"backing {backing.Name}\nmap private\nfile size={size / 1024}K block={size / 2 / 1024}K\nstore gen=1 blocks=0\npunch blocks=all\ncheck\n");
        var (observation, verdict) = Repo.Judge(scenario, PolicyCatalog.Find(era)!);

        var mapping = observation.Checks.Single().Views.Single(v => v is { File: "data", Path: ReadPath.Mapping });
        var expected = backing.PunchZapsPrivateCopies ? Content.Hole : Content.Data(1);
        Assert.Equal(expected, mapping.Blocks[0].Content);
        Assert.False(verdict.HasFindings, string.Join("; ", verdict.Findings));
    }
}
