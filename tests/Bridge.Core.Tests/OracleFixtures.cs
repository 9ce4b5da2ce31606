using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>Builds the observation an executor would report, by hand: every step ok unless told otherwise, and for
/// each check the blocks each path saw (one uniform content per block; eof past the end).</summary>
internal static class OracleFixtures
{
    public const ulong RunId = 7;

    public static Scenario Parse(string text) => ScenarioFile.ParseOne(text, "fixture.scn", "fixture");

    /// <summary>The oracle's verdict on scenario text with the given step results (every other step ok) and checks.</summary>
    public static ScenarioVerdict Judge(string text, Dictionary<int, StepResult> results, params CheckObservation[] checks)
    {
        var scenario = Parse(text);
        return Oracle.Oracle.Judge(scenario, Observe(scenario, results, checks));
    }

    public static Observation Observe(Scenario scenario, Dictionary<int, StepResult> results, params CheckObservation[] checks)
    {
        var wrong = checks.FirstOrDefault(c => scenario.StepAt(c.Step).Effect != Effect.Check);
        if (wrong is not null)
            throw new ArgumentException($"step #{wrong.Step} is '{scenario.StepAt(wrong.Step).Text}', not a check");
        return Build(scenario, results, checks);
    }

    private static Observation Build(Scenario scenario, Dictionary<int, StepResult> results, CheckObservation[] checks) => new(
        scenario.Name,
        RunId,
        new RunEnvironment("test", "test", scenario.Backing.FsType),
        Enumerable.Range(0, scenario.StepCount).Select(i => results.GetValueOrDefault(i) ?? StepResult.Success(i, i * 10, i * 10 + 5)).ToList(),
        checks,
        []);

    public static CheckObservation Check(int step, params (string File, ReadPath Path, Content[] Blocks)[] views) =>
        new(step, views.Select(v => new ViewRead(v.File, v.Path, v.Blocks.Select((c, b) => Read(b, c)).ToList())).ToList());

    /// <summary>The three data paths of a file backing, all seeing the same blocks.</summary>
    public static (string, ReadPath, Content[])[] Data(params Content[] blocks) =>
        [("data", ReadPath.Disk, blocks), ("data", ReadPath.Buffered, blocks), ("data", ReadPath.Mapping, blocks)];

    public static Content G(uint gen, uint iteration = 0) => Content.Data(gen, iteration);

    public static StepResult RaceStep(int step, long iterations, long lastOk, long lastOkStart, long lastOkEnd, string? errno = null) =>
        lastOk < 0
            ? StepResult.Failure(step, errno ?? "EFAULT", 14, 0, 100) with { Race = new RaceStats(iterations, iterations, -1, 0, 0) }
            : StepResult.Success(step, 0, 100) with { Race = new RaceStats(iterations, 0, lastOk, lastOkStart, lastOkEnd) };

    private static BlockRead Read(int block, Content content) => content.Kind switch
    {
        ContentKind.BeyondEof => BlockRead.Eof(block),
        ContentKind.Hole => new BlockRead(block, ReadState.Uniform, Content.Hole),
        _ => new BlockRead(block, ReadState.Uniform, content, Writer.Cpu, 0),
    };
}
