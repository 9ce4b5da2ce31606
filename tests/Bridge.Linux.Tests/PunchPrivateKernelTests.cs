namespace Bridge.Linux.Tests;

/// <summary>The kernel's side of <see cref="Core.Scenarios.BackingInfo.PunchZapsPrivateCopies"/>: after a whole-page
/// punch a private mapping reads the hole on hugetlbfs (hugetlb_vmdelete_list zaps COW copies) and keeps its copy
/// elsewhere; the oracle allows exactly that. explore found it on 6.18 (seed 2026) as a zeroed finding.</summary>
public class PunchPrivateKernelTests
{
    [Theory]
    [InlineData("hugetlb")]
    [InlineData("tmpfs")]
    [InlineData("ext4")]
    public void A_private_mapping_reads_what_the_backing_row_says_after_a_whole_page_punch(string backingName)
    {
        var backing = Core.Scenarios.BackingTable.Find(backingName)!;
        var size = backing.PageSize * 2;
        var (scenario, observation, verdict) = KernelRun.Run(
            $"backing {backing.Name}\nmap private\nfile size={size / 1024}K block={size / 2 / 1024}K\nstore gen=1 blocks=0\npunch blocks=all\ncheck\n");
        Assert.SkipWhen(observation.Skip is not null, observation.Skip ?? "");

        var mapping = observation.Checks.Single().Views.Single(v => v is { File: "data", Path: Core.Observations.ReadPath.Mapping });
        Assert.Equal(backing.PunchZapsPrivateCopies ? Core.Blocks.Content.Hole : Core.Blocks.Content.Data(1), mapping.Blocks[0].Content);
        Assert.False(verdict.HasFindings, KernelRun.Explain(scenario, observation, verdict));
    }
}
