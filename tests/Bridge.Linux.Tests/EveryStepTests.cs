using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;
using Bridge.Tests.Shared;

namespace Bridge.Linux.Tests;

/// <summary>Every verb on every backing, shared and private, on the host kernel: each step's real result is the
/// one the model of this kernel's era gives, and the oracle finds every block where the contract puts it.</summary>
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
    public void EveryStepEndsAsTheModelOfThisKernelsEraSaysAndTheDataIsWhereTheContractSays(string backing, string map)
    {
        // What each step returns on this kernel is not restated here: the simulator runs the same scenario under the
        // era measured on this kernel, whose pin rows say which pins are refused (and then which device steps do not
        // run) and whose switches say what else differs (O_DIRECT on shmem, …). A kernel no era models is skipped.
        var era = PinRules.EraOf(SystemInfo.KernelRelease);
        var info = BackingTable.Find(backing)!;
        var text = $"backing {backing}\nmap {map}\nfile size=4M block=4K\n" + (info.HasFile ? FileSteps : AnonSteps);
        var (scenario, observation, verdict) = KernelRun.Run(text);
        Assert.Null(observation.Skip);
        var model = Simulator.Simulator.Run(scenario, era, observation.RunId);
        var modelVerdict = Oracle.Judge(scenario, model);

        foreach (var step in scenario.AllSteps())
        {
            var result = observation.ResultOf(step.Index)!;
            var expected = model.ResultOf(step.Index)!;
            Assert.True(expected.ToString() == result.ToString(), $"{step}: {era.Name} says {expected} ({expected.Detail}), this kernel {result} {result.Detail}");
        }
        Assert.True(verdict.Class == modelVerdict.Class, $"{era.Name} says {modelVerdict.Class}; this kernel: " + KernelRun.Explain(scenario, observation, verdict));

        // The views a check reads: O_DIRECT where the filesystem has it (not hugetlbfs), none of the file's for anon.
        var views = observation.Checks[0].Views.Where(v => v.File == "data").ToDictionary(v => v.Path);
        Assert.Equal(info.HasFile, views.ContainsKey(ReadPath.Disk));
        if (info.HasFile)
            Assert.Equal(backing == "hugetlb", views[ReadPath.Disk].Unavailable is not null);
        Assert.Contains("unmapped", observation.Checks[^1].Views.Single(v => v.Path == ReadPath.Mapping).Unavailable);
    }
}
