using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>Kernel rules whose era values the verdict tables cannot see, each checked by what the model then
/// observes: the rule as the cited kernel code states it, in every era.</summary>
public class EraRuleTests
{
    public static TheoryData<string> Eras => [.. PolicyCatalog.All.Select(p => p.Name)];

    /// <summary>io_uring's own vm_file check (v5.1 io_sqe_buffer_register, v6.1 io_pin_pages) runs after
    /// pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) faulted the pages in for writing: a registration of a private file
    /// mapping that it refuses has already broken COW, so the process keeps those copies where punch takes the
    /// file's pages away. From 6.5 GUP allows the pin, which copies them too. Either way the mapping still shows
    /// the data it had.</summary>
    [Theory]
    [MemberData(nameof(Eras))]
    public void A_writable_uring_registration_of_a_private_file_mapping_has_copied_its_pages_even_when_refused(string era)
    {
        var scenario = Repo.Parse("backing ext4\nmap private\nfile size=16K block=4K\npin uring-register blocks=0-1\npunch blocks=0-1\ncheck\n");
        var (observation, verdict) = Repo.Judge(scenario, PolicyCatalog.Find(era)!);

        var mapping = observation.Checks.Single().Views.Single(v => v is { File: "data", Path: ReadPath.Mapping });
        Assert.Equal(["g0", "g0", "g0", "g0"], mapping.Blocks.Select(b => b.ToString()));
        Assert.False(verdict.HasFindings, string.Join("; ", verdict.Findings));
    }
}

/// <summary>Every era marks the pages an O_DIRECT read filled dirty when the read completes (v5.0 dio_bio_complete
/// set_page_dirty_lock, iomap_dio_bio_end_io's bio_check_pages_dirty since): so the data of a read that raced
/// writeback — which may have cleaned and write-protected the page between GUP and the data landing — reaches the
/// disk at the next fsync, in every interleaving.</summary>
public class DirectIoCompletionTests
{
    public static TheoryData<string, ulong> ErasAndInterleavings()
    {
        var data = new TheoryData<string, ulong>();
        foreach (var policy in PolicyCatalog.All)
            for (ulong runId = 1; runId <= 12; runId++)
                data.Add(policy.Name, runId);
        return data;
    }

    [Theory]
    [MemberData(nameof(ErasAndInterleavings))]
    public void An_odirect_read_that_raced_writeback_is_on_disk_after_the_next_fsync(string era, ulong runId)
    {
        var (_, verdict) = Repo.Judge(Repo.Load("policy/odirect-read-races-writeback.scn"), PolicyCatalog.Find(era)!, runId);
        Assert.False(verdict.HasFindings, string.Join("; ", verdict.Findings.Select(f => $"{f.Class} block {f.Block}: {f.Note}")));
    }
}
