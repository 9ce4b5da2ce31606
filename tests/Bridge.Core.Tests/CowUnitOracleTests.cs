using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using static Bridge.Core.Tests.OracleFixtures;

namespace Bridge.Core.Tests;

/// <summary>A copy-on-write of one block of a MAP_PRIVATE mapping copies the block's whole COW unit
/// (<see cref="BackingInfo.CowUnit"/>: hugetlb_wp copies a whole huge page): the other blocks of the unit become
/// private copies of what the mapping showed then, and a later change of the page cache there (a punch of part of the
/// huge page zeroes it in place) no longer shows through the mapping. Where the blocks lie in different units the
/// mapping still shares the file's page and shows the change. Found on 6.18 by pinbridge explore (`pin uring-register
/// blocks=14`, `punch blocks=8` on hugetlbfs: mapping g0, page cache hole, which the oracle called stale).</summary>
public class CowUnitOracleTests
{
    public static TheoryData<string, string> BackingsAndCopies()
    {
        var data = new TheoryData<string, string>();
        foreach (var backing in BackingTable.All.Where(b => b.HasFile))
            foreach (var copy in new[] { "store gen=1 blocks=0", "odirect-read gen=1 blocks=0", "pin uring-register blocks=0", "pin rdma-mr access=remote-read blocks=0" })
                data.Add(backing.Name, copy);
        return data;
    }

    /// <summary>Two blocks per COW unit where the unit is larger than a base page, else one block per page: block 0
    /// is copied, block 1 punched.</summary>
    private static Scenario CopyThenPunch(BackingInfo backing, string copy)
    {
        var block = Math.Max(BackingTable.BasePage, backing.CowUnit / 2);
        var size = 2 * Math.Max(backing.PageSize, backing.CowUnit);
        return Parse($"backing {backing.Name}\nmap private\nfile size={size / 1024}K block={block / 1024}K\n{copy}\npunch blocks=1\ncheck\n");
    }

    private static bool SameUnit(Scenario scenario) => scenario.Backing.CowUnit / scenario.Geometry.BlockSize >= 2;

    private static Allowed MappingAtCheck(Scenario scenario, Dictionary<int, StepResult> results, int block) =>
        Oracle.Oracle.ExpectedAtChecks(scenario, Observe(scenario, results))
            .Single(e => e.View is { File: CheckPlan.DataFile, Path: ReadPath.Mapping } && e.Block == block).Allowed;

    [Theory]
    [MemberData(nameof(BackingsAndCopies))]
    public void A_copy_on_write_of_one_block_copies_every_block_of_its_cow_unit(string backingName, string copy)
    {
        var scenario = CopyThenPunch(BackingTable.Find(backingName)!, copy);
        var mapping = MappingAtCheck(scenario, [], 1);

        // In the copied unit the mapping keeps what the page held at the copy (the initial fill), not the punch's zeros
        // — for certain after a write; a read-only pin unshares only since 6.5, so it may also still share the file's page.
        var certain = scenario.StepAt(0) is not { Effect: Effect.Pin } pin || PinPathInfo.IsWritable(pin.Args.Access ?? PinAccess.None);
        Assert.Equal(SameUnit(scenario), mapping.Contains(G(0)));
        Assert.Equal(!SameUnit(scenario) || !certain, mapping.Contains(Content.Hole));
    }

    public static TheoryData<string> FileBackings() => [.. BackingTable.All.Where(b => b.HasFile).Select(b => b.Name)];

    /// <summary>A pin refused after GUP may or may not have copied: either the whole unit's copy or the file's page
    /// (zeroed in place by the partial punch).</summary>
    [Theory]
    [MemberData(nameof(FileBackings))]
    public void A_refused_pin_may_have_copied_its_whole_cow_unit(string backingName)
    {
        var scenario = CopyThenPunch(BackingTable.Find(backingName)!, "pin uring-register blocks=0");
        var mapping = MappingAtCheck(scenario, new() { [0] = StepResult.Failure(0, "EOPNOTSUPP", 95, 0, 5) }, 1);

        Assert.Equal(SameUnit(scenario), mapping.Contains(G(0)));
        Assert.True(mapping.Contains(Content.Hole));
    }

    /// <summary>explore's reproducer in 4 KiB blocks: a write pin of block 14 copies the whole first COW unit, so
    /// after a punch of block 8 the page cache reads a hole there and the mapping the copy's initial fill.</summary>
    [Fact]
    public void The_explored_reproducer_is_intact_where_the_kernel_kept_the_copy()
    {
        var backing = BackingTable.All.First(b => b.CowUnit > BackingTable.BasePage);
        var blocks = (int)(backing.CowUnit / BackingTable.BasePage);
        var text = $"backing {backing.Name}\nmap private\nfile size={backing.CowUnit / 1024}K block=4K\npin uring-register blocks=14\npunch blocks=8\ncheck\n";
        var cache = Enumerable.Range(0, blocks).Select(b => b == 8 ? Content.Hole : G(0)).ToArray();
        var copy = Enumerable.Repeat(G(0), blocks).ToArray();
        var verdict = Judge(text, [], Check(2, ("data", ReadPath.Disk, cache), ("data", ReadPath.Buffered, cache), ("data", ReadPath.Mapping, copy)));
        Assert.False(verdict.HasFindings, string.Join("; ", verdict.Findings));

        // A mapping that still shared the file's page would show the punch's zeros: not what a copy allows.
        Assert.Equal(VerdictClass.Zeroed, Judge(text, [], Check(2, Data(cache))).Class);
    }
}
