using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Linux.Tests;

/// <summary>The kernel's side of <see cref="BackingInfo.CowUnit"/>: a store into one block of a MAP_PRIVATE mapping,
/// or a write pin of it, copies the block's whole COW unit (hugetlbfs: the 2 MiB huge page, mm/hugetlb.c hugetlb_wp),
/// so after the page cache changes under a neighbouring block of the unit (a punch of part of a huge page zeroes it in
/// place) the mapping still reads the copy; where the blocks lie in different units the mapping shows the change. The
/// oracle allows exactly that. explore found it on 6.18 (`pin uring-register blocks=14`, `punch blocks=8`) as stale.</summary>
public class CowUnitKernelTests
{
    [Theory]
    [InlineData("hugetlb", "store gen=1 blocks=0")]
    [InlineData("hugetlb", "pin uring-register blocks=0")]
    [InlineData("tmpfs", "store gen=1 blocks=0")]
    [InlineData("ext4", "pin uring-register blocks=0")]
    public void A_private_mapping_keeps_the_copy_of_a_neighbouring_block_only_inside_the_cow_unit(string backingName, string copy)
    {
        var backing = BackingTable.Find(backingName)!;
        var block = Math.Max(BackingTable.BasePage, backing.CowUnit / 2);
        var size = 2 * Math.Max(backing.PageSize, backing.CowUnit);
        var (scenario, observation, verdict) = KernelRun.Run(
            $"backing {backing.Name}\nmap private\nfile size={size / 1024}K block={block / 1024}K\n{copy}\npunch blocks=1\ncheck\n");
        Assert.SkipWhen(observation.Skip is not null, observation.Skip ?? "");
        Assert.SkipWhen(observation.Steps[0].Outcome != Outcome.Ok, $"this kernel refuses '{copy}' on {backing.Name}: {observation.Steps[0]}");

        var views = observation.Checks.Single().Views;
        Assert.Equal(Content.Hole, views.Single(v => v is { File: "data", Path: ReadPath.Buffered }).Blocks[1].Content);
        var sameUnit = backing.CowUnit / block >= 2;
        Assert.Equal(sameUnit ? Content.Data(0) : Content.Hole, views.Single(v => v is { File: "data", Path: ReadPath.Mapping }).Blocks[1].Content);
        Assert.False(verdict.HasFindings, KernelRun.Explain(scenario, observation, verdict));
    }
}
