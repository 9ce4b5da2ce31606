using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>
/// Every row of every policy matters: flipping it changes what a witness scenario observes (a step's errno, a
/// read path, a block, the kernel log). Some rows are reachable only when other rows let the model get there
/// (6.5+ refuses the pin the writeback rule needs): those witnesses name the enabling rows, which are set to
/// their permissive value (pin allowed, switch on) before the row under test is flipped.
/// </summary>
public class RowMutationTests
{
    private const string UringLostWrite = """
        scenario uring-lost-write
        backing ext4
        map shared
        file size=16K block=4K
        store gen=1
        pin uring-register
        dma gen=2
        fsync
        dma gen=3
        unpin
        fsync
        check
        """;

    // An RDMA READ through an MR without remote-read: refused as a remote access error or flushed, by era.
    private const string RefusedDeviceRead = """
        scenario refused-device-read
        backing tmpfs
        map shared
        file size=16K block=4K
        pin rdma-mr
        dma-read blocks=0 to=out
        check
        """;

    // An O_DIRECT write racing stores on btrfs, whose O_DIRECT write locks its range: a store gets between the write
    // and the invalidation after it (the fsync after the race says EIO) or, where the era keeps stores out, never.
    private const string LockedDirectWrite = """
        scenario locked-direct-write
        backing btrfs
        map shared
        file size=16K block=4K
        store gen=1 blocks=0-3
        fsync
        race count=50
          odirect-write-file gen=2 blocks=0-3
          store gen=3 blocks=0-3
        end
        fsync
        check
        """;

    private static readonly string AllowRdmaFileShared = new PinRow(PinPathTable.RdmaMr, MemoryClass.FileShared, true, null, false, "").Key;
    private static readonly string AllowUringFileShared = new PinRow(PinPathTable.UringRegister, MemoryClass.FileShared, true, null, false, "").Key;
    private static readonly string EvictStrips = Switches.Name(Switch.EvictReleasesBuffersOfReferencedPages);

    /// <summary>Row key → witness scenario, run id, enabling rows.</summary>
    private static readonly Dictionary<string, (Func<Scenario> Scenario, ulong RunId, string[] Enablers)> Witnesses = new()
    {
        [Switches.Name(Switch.WritebackCleansPinnedPages)] = (() => Repo.Load("seed/lost-write-after-writeback.scn"), 42, [AllowRdmaFileShared]),
        [Switches.Name(Switch.DirectIoDirtiesOnCompletion)] = (() => Repo.Load("policy/odirect-read-races-writeback.scn"), 3, []),
        [EvictStrips] = (() => Repo.Load("policy/buffers-stripped-under-pin.scn"), 42, [AllowRdmaFileShared]),
        [Switches.Name(Switch.DirectIoOnShmem)] = (() => Repo.Load("policy/odirect-check-tmpfs.scn"), 42, []),
        [Switches.Name(Switch.ReadOnlyLongtermPinUnsharesCowPages)] = (() => Repo.Load("policy/readonly-pin-private-cow.scn"), 42, []),
        [Switches.Name(Switch.ForkCopiesPinnedPages)] = (() => Repo.Load("policy/fork-with-pinned-buffer.scn"), 42, []),
        [Switches.Name(Switch.RefusedDeviceAccessFlushes)] = (() => Repo.Parse(RefusedDeviceRead), 42, []),
        [Switches.Name(Switch.LockedDirectWriteKeepsStoresOut)] = (() => Repo.Parse(LockedDirectWrite), 42, []),
        [new UnpinRow(PinPathTable.RdmaMr, false, "").Key] = (() => Repo.Load("seed/lost-write-after-writeback.scn"), 42, [AllowRdmaFileShared]),
        [new UnpinRow(PinPathTable.UringRegister, false, "").Key] = (() => Repo.Parse(UringLostWrite), 42, [AllowUringFileShared]),
        [new BufferlessRow("ext4", BufferlessAction.Oops, [], "").Key] = (() => Repo.Load("policy/buffers-stripped-under-pin.scn"), 42, [AllowRdmaFileShared, EvictStrips]),
    };

    public static TheoryData<string, string> Rows()
    {
        var data = new TheoryData<string, string>();
        foreach (var policy in PolicyCatalog.All)
            foreach (var row in policy.Rows)
                data.Add(policy.Name, row.Key);
        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Flipping_the_row_changes_what_its_witness_observes(string policyName, string key)
    {
        var policy = PolicyCatalog.Find(policyName)!;
        var row = policy.Rows.Single(r => r.Key == key);
        var (scenario, runId, enablers) = row switch
        {
            PinRow pin => (PinWitness(pin), 42UL, []),
            FileWriterRow writer => (FileWriterWitness(writer), 42UL, []),
            _ => Witnesses[key].WithScenario(),
        };
        var enabled = enablers.Aggregate(policy, (p, enabler) => p.With(Permissive(p.Rows.Single(r => r.Key == enabler))));
        var flipped = enabled.With(enabled.Rows.Single(r => r.Key == key).Flipped());

        var before = Simulator.Run(scenario, enabled, runId);
        var after = Simulator.Run(scenario, flipped, runId);

        Assert.NotEqual(Repo.Fingerprint(before), Repo.Fingerprint(after));
    }

    [Fact]
    public void Every_row_that_is_not_a_pin_row_has_a_witness()
    {
        var keys = PolicyCatalog.All.SelectMany(p => p.Rows).Where(r => r is not PinRow and not FileWriterRow).Select(r => r.Key).Distinct();
        Assert.All(keys, k => Assert.True(Witnesses.ContainsKey(k), $"no witness for '{k}'"));
    }

    [Fact]
    public void Writeback_rule_is_the_seed_bug_itself()
    {
        // With writeback leaving pinned pages dirty (the fix the thread discussed), the seed's lost write is gone.
        var scenario = Repo.Load("seed/lost-write-after-writeback.scn");
        var fixedKernel = PolicyCatalog.Linux61.With(new SwitchRow(Switch.WritebackCleansPinnedPages, false, "hypothetical"));
        Assert.Equal(VerdictClass.LostWrite, Repo.Judge(scenario, PolicyCatalog.Linux61).Verdict.Class);
        Assert.Equal(VerdictClass.Intact, Repo.Judge(scenario, fixedKernel).Verdict.Class);
    }

    /// <summary>The smallest scenario whose pin step that row decides: the memory class's backing and mapping.</summary>
    private static Scenario PinWitness(PinRow row)
    {
        var (backing, map, size) = row.Memory switch
        {
            MemoryClass.FileShared => ("ext4", "shared", "16K"),
            MemoryClass.FilePrivate => ("ext4", "private", "16K"),
            MemoryClass.ShmemShared => ("tmpfs", "shared", "16K"),
            MemoryClass.ShmemPrivate => ("memfd", "private", "16K"),
            MemoryClass.Hugetlb => ("hugetlb", "shared", "2M"),
            MemoryClass.AnonPrivate => ("anon", "private", "16K"),
            _ => ("anon", "shared", "16K"),
        };
        var flags = row.Path.AccessFlags.Where(kv => PinPathInfo.IsWritable(kv.Value) == row.Writable).Select(kv => kv.Key).ToList();
        var access = flags.Count == 0 ? "" : " access=" + string.Join(',', flags);
        return Repo.Parse($"backing {backing}\nmap {map}\nfile size={size}\nstore gen=1 blocks=0-3\npin {row.Path.Name}{access} blocks=0-3\ncheck\n", "pin-witness");
    }

    /// <summary>The smallest scenario whose file-writer (or collapse, insert) step that row decides: the verb on the row's
    /// backing, over a range that ends before the end of the file.</summary>
    private static Scenario FileWriterWitness(FileWriterRow row)
    {
        var size = Math.Max(row.Backing.PageSize, 16 << 10);
        var step = row.Verb.File is { Source: not FileSource.Zeros } ? $"{row.Verb.Keyword} gen=2 blocks=0-1" : $"{row.Verb.Keyword} blocks=0-1";
        return Repo.Parse($"backing {row.Backing.Name}\nmap shared\nfile size={size} block=4K\nstore gen=1 blocks=0-3\nfsync\n{step}\ncheck\n", "file-writer-witness");
    }

    private static PolicyRow Permissive(PolicyRow row) => row switch
    {
        PinRow p => p with { Errno = null, FaultsFirst = false },
        SwitchRow s => s with { On = true },
        _ => row,
    };
}

internal static class WitnessExtensions
{
    public static (Scenario, ulong, string[]) WithScenario(this (Func<Scenario> Scenario, ulong RunId, string[] Enablers) w) =>
        (w.Scenario(), w.RunId, w.Enablers);
}
