using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>A long-term pin whose range reaches past EOF fails with EFAULT at the first page past it, after GUP
/// faulted the pages before it: in a private mapping those keep the copy the pin's fault made, as a pin of the in-file
/// blocks alone would have. Measured on 6.18 (ext4, xfs, btrfs, tmpfs: `pin uring-register blocks=1-2` of a private
/// mapping truncated to 2 blocks, then write(2) of block 1: the mapping kept g0); found by pinbridge explore (seed 3),
/// where the model refused before faulting anything and its mapping showed the write.</summary>
public class PinPastEofModelTests
{
    public static TheoryData<string, string, string> ErasBackingsAndPins()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var policy in PolicyCatalog.All)
            foreach (var backing in BackingTable.All.Where(b => b.HasFile && b.PageSize == BackingTable.BasePage))
                foreach (var pin in new[] { "uring-register", "rdma-mr", "rdma-mr access=remote-read" })
                    data.Add(policy.Name, backing.Name, pin);
        return data;
    }

    private static (Observation Observation, Bridge.Core.Oracle.ScenarioVerdict Verdict) Run(string era, string backing, string pin, string blocks) =>
        Repo.Judge(Repo.Parse($"backing {backing}\nmap private\nfile size=12K block=4K\ntruncate size=8K\npin {pin} blocks={blocks}\nwrite gen=2 blocks=1\ncheck\n"),
            PolicyCatalog.Find(era)!);

    private static Content MappingBlock1(Observation observation) =>
        observation.Checks.Single().Views.Single(v => v is { File: "data", Path: ReadPath.Mapping }).Blocks[1].Content;

    [Theory]
    [MemberData(nameof(ErasBackingsAndPins))]
    public void A_pin_reaching_past_eof_is_efault_and_leaves_the_copies_a_pin_of_its_in_file_blocks_makes(string era, string backing, string pin)
    {
        var (inFile, _) = Run(era, backing, pin, "1");
        var (pastEof, verdict) = Run(era, backing, pin, "1-2");
        Assert.Equal("EFAULT", pastEof.Steps[1].Errno);
        Assert.Equal(MappingBlock1(inFile), MappingBlock1(pastEof));
        Assert.False(verdict.HasFindings, string.Join("; ", verdict.Findings));
    }
}
