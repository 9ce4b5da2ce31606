using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The model copies a MAP_PRIVATE mapping on write in the backing row's COW unit
/// (<see cref="BackingInfo.CowUnit"/>: mm/hugetlb.c hugetlb_wp copies a whole huge page), in every era: after a copy
/// of block 0 and a punch of block 1, the mapping reads block 1's copy where both lie in one unit and the punched page
/// cache elsewhere; the oracle agrees. Found on 6.18 by pinbridge explore (`pin uring-register blocks=14`, `punch
/// blocks=8` on hugetlbfs), where the model copied 4 KiB and the kernel 2 MiB.</summary>
public class CowUnitModelTests
{
    public static TheoryData<string, string, string> ErasBackingsAndCopies()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var policy in PolicyCatalog.All)
            foreach (var backing in BackingTable.All.Where(b => b.HasFile))
                foreach (var copy in new[] { "store gen=1 blocks=0", "odirect-read gen=1 blocks=0", "pin uring-register blocks=0", "pin rdma-mr access=remote-read blocks=0" })
                    data.Add(policy.Name, backing.Name, copy);
        return data;
    }

    [Theory]
    [MemberData(nameof(ErasBackingsAndCopies))]
    public void A_copy_on_write_of_one_block_copies_its_whole_cow_unit(string era, string backingName, string copy)
    {
        var backing = BackingTable.Find(backingName)!;
        var block = Math.Max(BackingTable.BasePage, backing.CowUnit / 2);
        var size = 2 * Math.Max(backing.PageSize, backing.CowUnit);
        var scenario = Repo.Parse($"backing {backing.Name}\nmap private\nfile size={size / 1024}K block={block / 1024}K\n{copy}\npunch blocks=1\ncheck\n");
        var (observation, verdict) = Repo.Judge(scenario, PolicyCatalog.Find(era)!);
        Assert.SkipWhen(observation.Steps[0].Outcome != Outcome.Ok, $"{era} refuses '{copy}' on {backing.Name}");

        var mapping = observation.Checks.Single().Views.Single(v => v is { File: "data", Path: ReadPath.Mapping });
        // A read-only pin copies (unshares) only where the era's row says so.
        var copies = scenario.StepAt(0) is not { Effect: Effect.Pin } pin || PinPathInfo.IsWritable(pin.Args.Access ?? PinAccess.None)
            || PolicyCatalog.Find(era)!.Is(Switch.ReadOnlyLongtermPinUnsharesCowPages);
        var sameUnit = backing.CowUnit / block >= 2;
        Assert.Equal(sameUnit && copies ? Content.Data(0) : Content.Hole, mapping.Blocks[1].Content);
        Assert.False(verdict.HasFindings, string.Join("; ", verdict.Findings));
    }
}
