using Bridge.Core.Repro;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>The reproducer of a scenario that cuts the power: the program cannot cut it and go on, so it stops at the
/// crash step (exit <see cref="ReproExit.PowerCut"/>) and prints what <c>pinbridge check</c> must find after the
/// reboot — the oracle's expectation of the disk after the cut.</summary>
public class PowerCutReproTests
{
    private static Scenario Load(string file, string name) =>
        ScenarioFile.Parse(File.ReadAllText(Path.Combine(Repo.Root, "scenarios", "crash", file)), $"scenarios/crash/{file}").Single(s => s.Name == name);

    [Fact]
    public void TheProgramStopsAtTheCutAndPrintsTheCheckOfWhatMustSurvive()
    {
        var c = ReproGenerator.Generate(Load("after-last-fsync.scn", "crash-after-last-fsync[ext4]"));

        Assert.Contains($"#define EXIT_POWER_CUT {ReproExit.PowerCut}", c);
        Assert.Contains("exit(findings || io_errors ? EXIT_FINDING : EXIT_POWER_CUT);", c);
        // Generation 1 was fsync'd everywhere; 2 and 3 were written since: any of them, mixed, where they were
        // written, and generation 1 alone where nothing was.
        Assert.Contains("--expect 'run=%016llx size=1048576 block=4096 file=1 mix=g1|g2:0-63 mix=g1|g2|g3:64-191 mix=g1|g3:192-223 gen=g1:224-255'", c);
    }

    [Fact]
    public void AfterAPersistencePointThatSurvivesTheCutOnlyTheLaterWritesAreUncertain()
    {
        var c = ReproGenerator.Generate(Load("persist.scn", "crash-persist[xfs,fdatasync]"));
        Assert.Contains("--expect 'run=%016llx size=131072 block=4096 file=1 gen=g1:0-15 mix=g1|g2:16-31'", c);
        // sync_file_range promises nothing across a power cut: generation 0 may come back.
        var s = ReproGenerator.Generate(Load("persist.scn", "crash-persist[xfs,sync-file-range]"));
        Assert.Contains("--expect 'run=%016llx size=131072 block=4096 file=1 mix=g0|g1:0-15 mix=g0|g1|g2:16-31'", s);
    }
}
