using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The model at the edges of the file and of the mapping's protection, in every era: a write past the end
/// of a truncated file grows it, a store past it is not run (the harness would take SIGBUS), and a pin is refused
/// where GUP refuses it — a writable pin of a read-only VMA, a range past the end of the file.</summary>
public class ModelBoundaryTests
{
    public static TheoryData<string, string> ErasAndFileBackings() => EraData.WithFileBackings(b => b.PageSize == 4096);

    private static IReadOnlyList<Content> Buffered(Observation observation) =>
        observation.Checks.Single().Views.Single(v => v is { File: "data", Path: ReadPath.Buffered }).Blocks.Select(b => b.Content).ToList();

    [Theory]
    [MemberData(nameof(ErasAndFileBackings))]
    public void A_write_past_the_end_of_a_truncated_file_grows_it_and_the_blocks_between_are_holes(string era, string backing)
    {
        var scenario = Repo.Parse($"backing {backing}\nmap shared\nfile size=64K block=16K\ntruncate size=16K\nwrite gen=2 blocks=3\ncheck\n");
        var (observation, verdict) = Repo.Judge(scenario, PolicyCatalog.Find(era)!);

        Assert.All(observation.Steps, s => Assert.Equal(Outcome.Ok, s.Outcome));
        Assert.Equal([Content.Data(0), Content.Hole, Content.Hole, Content.Data(2)], Buffered(observation));
        Assert.False(verdict.HasFindings, string.Join("; ", verdict.Findings));
    }

    [Theory]
    [MemberData(nameof(ErasAndFileBackings))]
    public void A_store_past_the_end_of_a_truncated_file_is_not_run_and_says_how_many_blocks_are_left(string era, string backing)
    {
        // block=16K: a block is four pages, so "inside the file" must count pages, not blocks.
        var scenario = Repo.Parse($"backing {backing}\nmap shared\nfile size=64K block=16K\ntruncate size=16K\nstore gen=2 blocks=1\ncheck\n");
        var (observation, _) = Repo.Judge(scenario, PolicyCatalog.Find(era)!);

        var store = observation.Steps.Single(s => s.Step == 1);
        Assert.Equal(Outcome.NotRun, store.Outcome);
        Assert.Equal(HarnessFaults.PastEndOfFile(1, fileBlocks: 1), store.Detail);
        Assert.Equal([Content.Data(0), Content.BeyondEof, Content.BeyondEof, Content.BeyondEof], Buffered(observation));
    }

    [Theory]
    [MemberData(nameof(ErasAndFileBackings))]
    public void A_writable_pin_of_a_read_only_mapping_is_refused_before_the_era_is_asked(string era, string backing)
    {
        var scenario = Repo.Parse($"backing {backing}\nmap shared\nfile size=16K\nmprotect ro\npin uring-register\ncheck\n");
        var (observation, _) = Repo.Judge(scenario, PolicyCatalog.Find(era)!);

        var pin = observation.Steps.Single(s => s.Step == 1);
        Assert.Equal((Outcome.Errno, "EFAULT"), (pin.Outcome, pin.Errno));
        Assert.Contains("read-only VMA", pin.Detail);
    }

    [Theory]
    [MemberData(nameof(ErasAndFileBackings))]
    public void A_pin_whose_range_reaches_past_the_end_of_the_file_is_refused(string era, string backing)
    {
        // Block 0 is still in the file and block 1 is not: one block past the end is enough.
        var scenario = Repo.Parse($"backing {backing}\nmap shared\nfile size=32K block=16K\ntruncate size=16K\npin uring-register blocks=0-1\ncheck\n");
        var (observation, _) = Repo.Judge(scenario, PolicyCatalog.Find(era)!);

        var pin = observation.Steps.Single(s => s.Step == 1);
        Assert.Equal((Outcome.Errno, "EFAULT"), (pin.Outcome, pin.Errno));
        Assert.Contains("past the end of the file", pin.Detail);
    }
}
