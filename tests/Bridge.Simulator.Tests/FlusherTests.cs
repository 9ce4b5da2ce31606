using Bridge.Core.Oracle;
using Bridge.Simulator.Execution;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The flusher (dirty_expire writeback) as seeded events between steps: where it runs, the legacy bug
/// shows without any persistence call between the device's writes.</summary>
public class FlusherTests
{
    private const string Text = """
        backing ext4
        map shared
        file size=16K
        store gen=1
        pin rdma-mr
        dma gen=2
        dma gen=3
        fsync
        check
        """;

    [Fact]
    public void Without_the_flusher_the_page_stays_dirty_until_fsync_and_the_data_arrives()
    {
        Assert.Equal(VerdictClass.Intact, Judge(PolicyCatalog.Legacy2019, SimOptions.Default));
    }

    [Fact]
    public void A_flusher_pass_between_the_device_writes_cleans_the_pinned_page_and_the_last_write_is_lost()
    {
        var always = new SimOptions(FlusherChance: 1);
        Assert.Equal(VerdictClass.LostWrite, Judge(PolicyCatalog.Legacy2019, always));
        Assert.Equal(VerdictClass.LostWrite, Judge(PolicyCatalog.Linux61, always));
        Assert.Equal(VerdictClass.Refused, Judge(PolicyCatalog.Linux65Plus, always));
    }

    private static VerdictClass Judge(Policy policy, SimOptions options)
    {
        var scenario = Repo.Parse(Text);
        return Oracle.Judge(scenario, Simulator.Run(scenario, policy, 1, options)).Class;
    }
}
