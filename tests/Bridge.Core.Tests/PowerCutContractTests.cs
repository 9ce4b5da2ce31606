using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using static Bridge.Core.Tests.OracleFixtures;

namespace Bridge.Core.Tests;

/// <summary>
/// The oracle's persistence contract across a power cut (docs/ARCHITECTURE.md §7, rule 8): a block whose last
/// completed write was followed by a persistence point that survives a power cut (the rows with
/// <see cref="VerbInfo.SurvivesPowerCut"/>) holds that generation; a block written since may hold any generation
/// written since or the persisted one; nothing else. After the cut a check reads the disk and the buffered view, no
/// mapping. Each case is built so that the rule alone decides it.
/// </summary>
public class PowerCutContractTests
{
    /// <summary>The two views a check reads after a power cut, both seeing <paramref name="blocks"/>.</summary>
    private static (string, ReadPath, Blocks.Content[])[] AfterCut(params Blocks.Content[] blocks) =>
        [("data", ReadPath.Disk, blocks), ("data", ReadPath.Buffered, blocks)];

    public static TheoryData<string> PersistenceThatSurvives => [.. Verbs.All.Where(v => v.SurvivesPowerCut).Select(v => v.Keyword)];

    public static TheoryData<string> PersistenceThatDoesNot => [.. Verbs.All.Where(v => v.Effect == Effect.Persist && !v.SurvivesPowerCut).Select(v => v.Keyword)];

    private static string Text(string persist) =>
        $"backing ext4\nfile size=8K\nstore gen=1 blocks=0-1\n{persist}\nstore gen=2 blocks=1\ncrash\ncheck\n";

    [Theory]
    [MemberData(nameof(PersistenceThatSurvives))]
    public void A_persisted_block_that_reads_an_older_generation_after_the_cut_is_a_lost_write(string persist)
    {
        var verdict = Judge(Text(persist), [], Check(4, AfterCut(G(0), G(1))));

        Assert.Equal(VerdictClass.LostWrite, verdict.Class);
        var finding = Assert.Single(verdict.Findings, f => f.Path == ReadPath.Disk);
        Assert.Equal((VerdictClass.LostWrite, 0), (finding.Class, finding.Block!.Value));
        Assert.Equal(0, finding.Culprit); // the store whose persisted generation went missing
        // The buffered read after the cut comes from the same disk: it shows the same old generation.
        Assert.Equal(ReadPath.Buffered, Assert.Single(verdict.Findings, f => f.Path != ReadPath.Disk).Path);
    }

    [Theory]
    [MemberData(nameof(PersistenceThatSurvives))]
    public void A_block_written_after_the_last_persistence_point_may_hold_either_generation(string persist)
    {
        Assert.Equal(VerdictClass.Intact, Judge(Text(persist), [], Check(4, AfterCut(G(1), G(1)))).Class);
        Assert.Equal(VerdictClass.Intact, Judge(Text(persist), [], Check(4, AfterCut(G(1), G(2)))).Class);
    }

    [Theory]
    [MemberData(nameof(PersistenceThatSurvives))]
    public void Nothing_older_than_the_persisted_generation_and_nothing_never_written_is_allowed(string persist)
    {
        // Block 1 was persisted at generation 1, then written with 2: generation 0 is older than both.
        Assert.Equal(VerdictClass.LostWrite, Judge(Text(persist), [], Check(4, AfterCut(G(1), G(0)))).Class);
        Assert.Equal(VerdictClass.Phantom, Judge(Text(persist), [], Check(4, AfterCut(G(1), G(9)))).Class);
    }

    [Theory]
    [MemberData(nameof(PersistenceThatDoesNot))]
    public void A_persistence_point_that_commits_no_metadata_promises_nothing_across_the_cut(string persist)
    {
        // sync_file_range writes the data but neither the metadata nor a cache flush: generation 0 may come back.
        Assert.Equal(VerdictClass.Intact, Judge(Text(persist), [], Check(4, AfterCut(G(0), G(0)))).Class);
        // Without the power cut the same read is a lost write: the running kernel's disk has the data.
        var running = $"backing ext4\nfile size=8K\nstore gen=1 blocks=0-1\n{persist}\ncheck\n";
        Assert.Equal(VerdictClass.LostWrite, Judge(running, [], Check(2, Data(G(0), G(0)))).Class);
    }

    [Fact]
    public void Without_any_persistence_point_every_generation_written_since_the_fill_may_survive()
    {
        const string text = "backing xfs\nfile size=4K\nstore gen=1\nstore gen=2\ncrash\ncheck\n";
        foreach (var gen in new uint[] { 0, 1, 2 })
            Assert.Equal(VerdictClass.Intact, Judge(text, [], Check(3, AfterCut(G(gen)))).Class);
    }

    [Fact]
    public void The_disk_and_the_buffered_view_after_the_cut_are_the_disk_even_where_memory_held_more()
    {
        // The page cache held generation 2 before the cut; after it a buffered read comes from the disk.
        var verdict = Judge(Text("fsync"), [], Check(4, ("data", ReadPath.Disk, [G(1), G(1)]), ("data", ReadPath.Buffered, [G(1), G(1)])));
        Assert.Equal(VerdictClass.Intact, verdict.Class);
    }

    [Fact]
    public void A_truncate_not_persisted_before_the_cut_may_or_may_not_have_happened()
    {
        const string text = "backing ext4\nfile size=8K\nstore gen=1\nfsync\ntruncate size=4K\ncrash\ncheck\n";
        Assert.Equal(VerdictClass.Intact, Judge(text, [], Check(4, AfterCut(G(1), G(1)))).Class);
        Assert.Equal(VerdictClass.Intact, Judge(text, [], Check(4, AfterCut(G(1), Blocks.Content.BeyondEof))).Class);
        // fsync after the truncate makes it durable: the old block coming back is a finding.
        const string synced = "backing ext4\nfile size=8K\nstore gen=1\nfsync\ntruncate size=4K\nfsync\ncrash\ncheck\n";
        Assert.NotEqual(VerdictClass.Intact, Judge(synced, [], Check(5, AfterCut(G(1), G(1)))).Class);
    }

    [Fact]
    public void An_output_file_never_synced_may_have_lost_what_was_copied_into_it()
    {
        const string text = "backing ext4\nfile size=4K\nstore gen=1\nfsync\nodirect-write to=out\ncrash\ncheck\n";
        (string, ReadPath, Blocks.Content[])[] Out(Blocks.Content c) => [("out", ReadPath.Disk, [c]), ("out", ReadPath.Buffered, [c])];
        Assert.Equal(VerdictClass.Intact, Judge(text, [], Check(4, [.. AfterCut(G(1)), .. Out(G(1))])).Class);
        Assert.Equal(VerdictClass.Intact, Judge(text, [], Check(4, [.. AfterCut(G(1)), .. Out(Blocks.Content.Hole)])).Class);
        Assert.NotEqual(VerdictClass.Intact, Judge(text, [], Check(4, [.. AfterCut(G(1)), .. Out(G(0))])).Class);
    }

    [Fact]
    public void A_check_after_the_cut_reads_no_mapping_and_one_before_it_does()
    {
        var scenario = Parse("backing btrfs\nfile size=8K\nstore gen=1\ncheck\ncrash\ncheck\n");
        var before = CheckPlan.For(scenario, scenario.StepAt(1));
        var after = CheckPlan.For(scenario, scenario.StepAt(3));

        Assert.Contains(before.Views, v => v.Path == ReadPath.Mapping);
        Assert.Equal(before.Views.Where(v => v.Path != ReadPath.Mapping), after.Views);
        Assert.DoesNotContain(after.Views, v => v.Path == ReadPath.Mapping);
    }

    [Fact]
    public void The_boots_before_and_after_a_cut_make_one_observation()
    {
        var scenario = Parse("backing ext4\nfile size=4K\nstore gen=1\nfsync\ncrash\ncheck\n");
        var env = new RunEnvironment("vm:test", "6.12", "ext4");
        var before = new Observation(scenario.Name, RunId, env, [StepResult.Success(0, 1, 2), StepResult.Success(1, 3, 4), StepResult.Success(2, 5, 5)], [], ["boot 1"]);
        var after = new Observation(scenario.Name, 0, env, [StepResult.Success(3, 1, 2)], [Check(3, AfterCut(G(1)))], ["EXT4-fs (vda): recovery complete"]);

        var joined = before.ThenAfterPowerCut(after);

        Assert.Equal([0, 1, 2, 3], joined.Steps.Select(s => s.Step));
        Assert.Equal(RunId, joined.RunId);
        Assert.Equal(["boot 1", Observation.PowerCutMark, "EXT4-fs (vda): recovery complete"], joined.KernelLog);
        Assert.Equal(VerdictClass.Intact, Oracle.Oracle.Judge(scenario, joined).Class);
    }
}
