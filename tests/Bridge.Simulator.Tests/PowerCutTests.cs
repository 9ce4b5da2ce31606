using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Execution;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The model's power cut (<see cref="Model.Kernel.PowerCut"/>): only what reached the disk remains, the
/// page cache and the mapping are gone, and the same oracle judges what the check after it reads.</summary>
public class PowerCutTests
{
    private const string Text = """
        backing ext4
        map shared
        file size=16K
        store gen=1
        fsync
        store gen=2 blocks=2-3
        crash
        check
        """;

    private static ViewRead View(Observation observation, ReadPath path) =>
        observation.Checks.Single().Views.Single(v => v is { File: "data" } && v.Path == path);

    private static IEnumerable<Content> Contents(ViewRead view) => view.Blocks.Select(b => b.Content);

    [Fact]
    public void Without_the_flusher_what_was_never_persisted_is_gone_and_the_reboot_reads_the_disk()
    {
        var scenario = Repo.Parse(Text);
        var observation = Simulator.Run(scenario, PolicyCatalog.Linux65Plus, 1, SimOptions.Default);

        Assert.Equal(Enumerable.Repeat(Content.Data(1), 4), Contents(View(observation, ReadPath.Disk)));
        // The page cache held generation 2 in blocks 2-3; after the cut a buffered read comes from the disk.
        Assert.Equal(Contents(View(observation, ReadPath.Disk)), Contents(View(observation, ReadPath.Buffered)));
        Assert.DoesNotContain(observation.Checks.Single().Views, v => v.Path == ReadPath.Mapping);
        Assert.Equal(VerdictClass.Intact, Oracle.Judge(scenario, observation).Class);
    }

    [Fact]
    public void With_the_flusher_writing_back_before_the_cut_the_later_generation_survives_and_is_allowed()
    {
        var scenario = Repo.Parse(Text);
        var observation = Simulator.Run(scenario, PolicyCatalog.Linux65Plus, 1, new SimOptions(FlusherChance: 1));

        Assert.Equal([Content.Data(1), Content.Data(1), Content.Data(2), Content.Data(2)], Contents(View(observation, ReadPath.Disk)));
        Assert.Equal(VerdictClass.Intact, Oracle.Judge(scenario, observation).Class);
    }

    [Fact]
    public void Every_crash_scenario_of_the_repository_runs_in_every_era_and_the_fixed_era_keeps_the_contract()
    {
        var scenarios = Repo.ScenarioFiles("crash").SelectMany(f => ScenarioFile.Parse(File.ReadAllText(Path.Combine(Repo.Root, "scenarios", f)), f)).ToList();
        Assert.NotEmpty(scenarios);
        foreach (var policy in PolicyCatalog.All)
            foreach (var scenario in scenarios)
                foreach (var seed in new ulong[] { 1, 2 })
                {
                    var verdict = Oracle.Judge(scenario, Simulator.Run(scenario, policy, seed, new SimOptions(FlusherChance: 0.5)));
                    Assert.NotEqual(VerdictClass.Skipped, verdict.Class);
                    // 6.5+ refuses the writable long-term pins of file mappings: nothing it models loses data.
                    if (policy == PolicyCatalog.Linux65Plus)
                        Assert.True(verdict.Class is VerdictClass.Intact or VerdictClass.Refused,
                            $"{scenario.Name}, seed {seed}: {verdict.Class} {string.Join("; ", verdict.Findings)}");
                }
    }
}
