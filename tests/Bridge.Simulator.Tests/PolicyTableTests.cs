using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The policy rows against the facts they model: docs/ARCHITECTURE.md §8's table, the host measurements, the code read.</summary>
public class PolicyTableTests
{
    private const string Legacy = "linux-2019-legacy", V61 = "linux-6.1", V65 = "linux-6.5+";

    /// <summary>scenario, policy, the step whose result the row decides, expected result.</summary>
    public static TheoryData<string, string, int, string> StepResults => new()
    {
        // writable long-term pin of ext4 MAP_SHARED: allowed, allowed, EFAULT (writable_file_mapping_allowed)
        { "rdma-writable-file-shared.scn", Legacy, 1, "ok" },
        { "rdma-writable-file-shared.scn", V61, 1, "ok" },
        { "rdma-writable-file-shared.scn", V65, 1, "EFAULT" },
        // read-only long-term pin of ext4 MAP_SHARED: allowed everywhere
        { "rdma-readonly-file-shared.scn", Legacy, 2, "ok" },
        { "rdma-readonly-file-shared.scn", V61, 2, "ok" },
        { "rdma-readonly-file-shared.scn", V65, 2, "ok" },
        // io_uring over regular-file MAP_SHARED: io_uring's EOPNOTSUPP until GUP's EFAULT (host 6.18 measured)
        { "uring-register-file-shared.scn", Legacy, 2, "EOPNOTSUPP" },
        { "uring-register-file-shared.scn", V61, 2, "EOPNOTSUPP" },
        { "uring-register-file-shared.scn", V65, 2, "EFAULT" },
        // io_uring over regular-file MAP_PRIVATE: refused by io_uring's vm_file check, allowed by GUP (host measured)
        { "uring-register-file-private.scn", Legacy, 1, "EOPNOTSUPP" },
        { "uring-register-file-private.scn", V61, 1, "EOPNOTSUPP" },
        { "uring-register-file-private.scn", V65, 1, "ok" },
        // io_uring over tmpfs: v5.1 exempted hugetlbfs only; vma_is_shmem later; GUP allows it (host measured)
        { "uring-register-tmpfs.scn", Legacy, 1, "EOPNOTSUPP" },
        { "uring-register-tmpfs.scn", V61, 1, "ok" },
        { "uring-register-tmpfs.scn", V65, 1, "ok" },
        { "uring-register-hugetlb.scn", Legacy, 1, "ok" },
        { "uring-register-hugetlb.scn", V61, 1, "ok" },
        { "uring-register-hugetlb.scn", V65, 1, "ok" },
        { "uring-register-anon.scn", Legacy, 1, "ok" },
        { "uring-register-anon.scn", V61, 1, "ok" },
        { "uring-register-anon.scn", V65, 1, "ok" },
        { "rdma-writable-memfd.scn", Legacy, 1, "ok" },
        { "rdma-writable-memfd.scn", V61, 1, "ok" },
        { "rdma-writable-memfd.scn", V65, 1, "ok" },
        { "rdma-writable-file-private.scn", Legacy, 0, "ok" },
        { "rdma-writable-file-private.scn", V61, 0, "ok" },
        { "rdma-writable-file-private.scn", V65, 0, "ok" },
        // O_DIRECT into a file mapping (short-term pin): allowed everywhere
        { "odirect-into-file-mapping.scn", Legacy, 2, "ok" },
        { "odirect-into-file-mapping.scn", V61, 2, "ok" },
        { "odirect-into-file-mapping.scn", V65, 2, "ok" },
    };

    [Theory]
    [MemberData(nameof(StepResults))]
    public void Policy_decides_the_step_as_the_kernel_does(string file, string policy, int step, string expected)
    {
        var (observation, _) = Repo.Judge(Repo.Load("policy/" + file), PolicyCatalog.Find(policy)!);
        Assert.Equal(expected, observation.ResultOf(step)!.ToString());
    }

    public static TheoryData<string, string, VerdictClass> Verdicts => new()
    {
        { "odirect-into-file-mapping.scn", Legacy, VerdictClass.Intact },
        { "odirect-into-file-mapping.scn", V61, VerdictClass.Intact },
        { "odirect-into-file-mapping.scn", V65, VerdictClass.Intact },
        // the completion's set_page_dirty makes an O_DIRECT read that raced writeback durable at the next fsync
        { "odirect-read-races-writeback.scn", Legacy, VerdictClass.Intact },
        { "odirect-read-races-writeback.scn", V61, VerdictClass.Intact },
        { "odirect-read-races-writeback.scn", V65, VerdictClass.Intact },
        // fork gives the child its own copy of a pinned page since v5.9; before, the parent's store moved the parent
        // off the pinned page, and the device read and wrote a page the parent no longer sees
        { "fork-with-pinned-buffer.scn", Legacy, VerdictClass.Phantom },
        { "fork-with-pinned-buffer.scn", V61, VerdictClass.Intact },
        { "fork-with-pinned-buffer.scn", V65, VerdictClass.Intact },
        { "rdma-writable-file-private.scn", V65, VerdictClass.Intact },
        { "rdma-writable-memfd.scn", V65, VerdictClass.Intact },
        // ext4 BUGs on the buffer-less page the MR's release dirtied; 6.1 keeps the buffers of a pinned page
        { "buffers-stripped-under-pin.scn", Legacy, VerdictClass.Hang },
        { "buffers-stripped-under-pin.scn", V61, VerdictClass.Intact },
        { "buffers-stripped-under-pin.scn", V65, VerdictClass.Refused },
        // a read-only pin of a private mapping stays coherent with the process only where it is unshared
        { "readonly-pin-private-cow.scn", Legacy, VerdictClass.Phantom },
        { "readonly-pin-private-cow.scn", V61, VerdictClass.Phantom },
        { "readonly-pin-private-cow.scn", V65, VerdictClass.Intact },
    };

    [Theory]
    [MemberData(nameof(Verdicts))]
    public void Policy_scenario_gets_the_verdict_of_its_era(string file, string policy, VerdictClass expected)
    {
        var (_, verdict) = Repo.Judge(Repo.Load("policy/" + file), PolicyCatalog.Find(policy)!);
        Assert.Equal(expected, verdict.Class);
    }

    [Fact]
    public void Legacy_ext4_bug_is_in_the_kernel_log_and_the_oracle_sees_it()
    {
        var (observation, verdict) = Repo.Judge(Repo.Load("policy/buffers-stripped-under-pin.scn"), PolicyCatalog.Legacy2019);
        Assert.StartsWith("kernel BUG at", observation.KernelLog[0], StringComparison.Ordinal);
        Assert.Contains(verdict.Findings, f => f.Class == VerdictClass.KernelWarn);
        Assert.Equal(Outcome.Timeout, observation.ResultOf(7)!.Outcome);
        Assert.Equal(Outcome.NotRun, observation.ResultOf(8)!.Outcome);
    }

    [Theory]
    [InlineData(Legacy, false)]
    [InlineData(V61, false)]
    [InlineData(V65, true)]
    public void ODirect_view_of_a_tmpfs_file_exists_from_6_6(string policy, bool available)
    {
        var (observation, _) = Repo.Judge(Repo.Load("policy/odirect-check-tmpfs.scn"), PolicyCatalog.Find(policy)!);
        var disk = observation.Checks.Single().Views.Single(v => v is { File: "data", Path: ReadPath.Disk });
        Assert.Equal(available, disk.Unavailable is null);
    }

    [Fact]
    public void Every_policy_has_the_same_rule_keys_and_every_row_cites_code()
    {
        var keys = PolicyCatalog.All.Select(p => p.Rows.Select(r => r.Key).Order(StringComparer.Ordinal).ToList()).ToList();
        Assert.All(keys, k => Assert.Equal(keys[0], k));
        Assert.All(PolicyCatalog.All.SelectMany(p => p.Rows), r => Assert.Matches(@"\.(c|h)\b", r.Models));
    }

    [Fact]
    public void A_policy_without_a_row_is_rejected_at_construction()
    {
        var rows = PolicyCatalog.Linux61.Rows.Where(r => r is not SwitchRow { Switch: Switch.DirectIoOnShmem }).ToList();
        var error = Assert.Throws<ArgumentException>(() => new Policy("broken", "", rows));
        Assert.Contains("O_DIRECT on shmem", error.Message, StringComparison.Ordinal);
    }
}
