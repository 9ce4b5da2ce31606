using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;

namespace Bridge.Linux.Tests;

/// <summary>Every verb on every backing, shared and private, on the host kernel: each step's real result is
/// asserted, and the oracle finds every block where the contract puts it.</summary>
public class EveryStepTests
{
    private const string FileSteps = """
        store gen=1 blocks=0-31
        msync
        fsync
        fdatasync
        sync-file-range
        fadvise-dontneed
        drop-caches
        odirect-read gen=2 blocks=0-3
        uring-read gen=3 blocks=4-7
        odirect-write blocks=0-7 to=out
        uring-write blocks=0-7 to=out2
        msync async
        msync invalidate
        pin uring-register blocks=0-15
        dma gen=4 blocks=8-11
        dma-read blocks=0-15 to=out3
        fsync
        check
        unpin
        punch blocks=20-21
        truncate size=2M
        check
        truncate size=4M
        mprotect ro
        check
        mprotect rw
        race count=50
          store gen=5 blocks=12-13
          odirect-read gen=6 blocks=14-15
          msync
        end
        fsync
        check
        munmap
        check
        """;

    private const string AnonSteps = """
        store gen=1 blocks=0-31
        drop-caches
        odirect-read gen=2 blocks=0-3
        uring-read gen=3 blocks=4-7
        odirect-write blocks=0-7 to=out
        uring-write blocks=0-7 to=out2
        pin uring-register blocks=0-15
        dma gen=4 blocks=8-11
        dma-read blocks=0-15 to=out3
        check
        unpin
        mprotect ro
        check
        mprotect rw
        race count=50
          store gen=5 blocks=12-13
          odirect-read gen=6 blocks=14-15
        end
        check
        munmap
        check
        """;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var backing in BackingTable.All)
            foreach (var map in new[] { "shared", "private" })
                data.Add(backing.Name, map);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryStepRunsAndTheDataIsWhereTheContractSays(string backing, string map)
    {
        var info = BackingTable.Find(backing)!;
        var text = $"backing {backing}\nmap {map}\nfile size=4M block=4K\n" + (info.HasFile ? FileSteps : AnonSteps);
        var (scenario, observation, verdict) = KernelRun.Run(text);
        Assert.Null(observation.Skip);

        // The only refusal the 6.5+ rule allows: a writable long-term pin of a shared mapping of a filesystem that
        // needs dirty tracking (mm/gup.c writable_file_mapping_allowed); the device steps after it do not run.
        var refused = info.Kind == BackingKind.DiskFs && map == "shared";
        foreach (var step in scenario.AllSteps())
        {
            var result = observation.ResultOf(step.Index)!;
            var expected = (refused, step.Effect) switch
            {
                (true, Effect.Pin) => "EFAULT",
                (true, Effect.WriteThroughPin or Effect.CopyThroughPin or Effect.Unpin) => "not-run",
                _ => "ok",
            };
            Assert.True(expected == result.ToString(), $"{step}: expected {expected}, got {result} {result.Detail}");
        }
        Assert.True(verdict.Class == (refused ? VerdictClass.Refused : VerdictClass.Intact), KernelRun.Explain(scenario, observation, verdict));

        // The views a check reads: O_DIRECT where the filesystem has it (not hugetlbfs), none of the file's for anon.
        var views = observation.Checks[0].Views.Where(v => v.File == "data").ToDictionary(v => v.Path);
        Assert.Equal(info.HasFile, views.ContainsKey(ReadPath.Disk));
        if (info.HasFile)
            Assert.Equal(backing == "hugetlb", views[ReadPath.Disk].Unavailable is not null);
        Assert.Contains("unmapped", observation.Checks[^1].Views.Single(v => v.Path == ReadPath.Mapping).Unavailable);
    }
}
