using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Repro;

/// <summary>The expectations of one branch: which pin steps the kernel refused (bit i: the i-th pin step).</summary>
public sealed record ReproBranch(int RefusedPins, IReadOnlyList<Oracle.ExpectedBlock> Expected);

/// <summary>
/// What a reproducer embeds so that it needs no oracle: for every combination of refused pin steps, what every block
/// of every view may hold at every check, computed by <see cref="Oracle.Oracle.ExpectedAtChecks"/> from the steps'
/// results as they would be. Two things are known only when the program runs:
/// <list type="bullet">
/// <item>how many iterations a racing step made — its results carry a sentinel iteration
/// (<see cref="LastIterationOf"/>) that the program replaces with the real count;</item>
/// <item>the order in which the racing steps' last calls ran — the expectations are the union over every order
/// (each body step's last call before all the others', and all of them overlapping), so the program allows
/// whatever one of those orders allows. Bridge's own run judges with the measured order, which may be stricter.</item>
/// </list>
/// </summary>
public sealed class ReproPlan
{
    private const uint SentinelBase = 0xF000_0000;
    private const int MaxPinSteps = 3;

    private ReproPlan(Scenario scenario, IReadOnlyList<Step> pinSteps, IReadOnlyDictionary<int, string> notRun, IReadOnlyList<ReproBranch> branches,
        IReadOnlyDictionary<int, Oracle.FileExpectation> afterPowerCut)
    {
        Scenario = scenario;
        PinSteps = pinSteps;
        NotRun = notRun;
        Branches = branches;
        AfterPowerCut = afterPowerCut;
    }

    /// <summary>Per step that cuts the power (by index): what the data file's disk may hold after it, as the next
    /// check would read it (every pin taken) — what the program tells the user to check after the reboot.</summary>
    public IReadOnlyDictionary<int, Oracle.FileExpectation> AfterPowerCut { get; }

    public Scenario Scenario { get; }

    /// <summary>The scenario's pin steps, in order: bit i of a branch's <see cref="ReproBranch.RefusedPins"/> is the i-th.</summary>
    public IReadOnlyList<Step> PinSteps { get; }

    /// <summary>Steps the harness does not attempt (they would fault it), with the reason, by index.</summary>
    public IReadOnlyDictionary<int, string> NotRun { get; }

    public IReadOnlyList<ReproBranch> Branches { get; }

    /// <summary>The iteration a racing step's last successful call stands for in the expectations.</summary>
    public static uint LastIterationOf(int step) => SentinelBase + (uint)step;

    /// <summary>The race step an iteration stands for, when it is a sentinel.</summary>
    public static int? RaceStepOf(uint iteration) => iteration >= SentinelBase ? (int)(iteration - SentinelBase) : null;

    public static ReproPlan For(Scenario scenario)
    {
        var pins = scenario.AllSteps().Where(s => s.Effect == Effect.Pin).ToList();
        if (pins.Count > MaxPinSteps)
            throw new ArgumentException($"{scenario.SourceFile}: {pins.Count} pin steps; a reproducer covers up to {MaxPinSteps} (2^n branches)");
        var branches = new List<ReproBranch>();
        IReadOnlyDictionary<int, string> notRun = new Dictionary<int, string>();
        var afterPowerCut = new Dictionary<int, Oracle.FileExpectation>();
        for (var mask = 0; mask < 1 << pins.Count; mask++)
        {
            var refused = pins.Where((_, i) => (mask & (1 << i)) != 0).Select(p => p.Index).ToHashSet();
            var executor = new PlannedExecutor(scenario, refused);
            var sequence = Sequencer.Run(scenario, executor);
            if (mask == 0)
            {
                notRun = executor.NotRun;
                var observation = new Observation(scenario.Name, 0, new RunEnvironment("repro", "", null), Orders(scenario, sequence.Steps).First(), [], []);
                foreach (var crash in scenario.Steps.Where(st => st.Verb.CutsPower))
                {
                    var next = scenario.Steps.FirstOrDefault(st => st.Index > crash.Index && st.Effect == Effect.Check)?.Index;
                    if (Oracle.Oracle.OnDisk(scenario, observation, next).FirstOrDefault(f => f.File == CheckPlan.DataFile) is { } data)
                        afterPowerCut[crash.Index] = data;
                }
            }
            var expected = Orders(scenario, sequence.Steps)
                .Select(steps => Oracle.Oracle.ExpectedAtChecks(scenario, new Observation(scenario.Name, 0, new RunEnvironment("repro", "", null), steps, [], [])))
                .Aggregate(Merge);
            branches.Add(new ReproBranch(mask, expected));
        }
        return new ReproPlan(scenario, pins, notRun, branches, afterPowerCut);
    }

    /// <summary>The step results under every order of each race's last calls (product over races), racing steps'
    /// iterations given as sentinels.</summary>
    private static IEnumerable<IReadOnlyList<StepResult>> Orders(Scenario scenario, IReadOnlyList<StepResult> steps)
    {
        IEnumerable<IReadOnlyList<StepResult>> orders = [steps];
        var race = 0;
        foreach (var r in scenario.Steps.Where(s => s.Effect == Effect.Race))
        {
            var ran = r.Body.Where(s => steps[s.Index].Race is { Iterations: > 0 }).Select(s => s.Index).ToList();
            var timings = Permutations(ran).Select(p => p.Select((step, pos) => (step, Start: 10L * pos + 1, End: 10L * pos + 2)).ToList())
                .Append(ran.Select(step => (step, Start: 1L, End: 1000L)).ToList())
                .ToList();
            var offset = 10_000L * ++race;
            orders = orders.SelectMany(o => timings.Select(t => (IReadOnlyList<StepResult>)o.Select(result =>
                t.FirstOrDefault(x => x.step == result.Step) is { step: var s } x && result.Race is not null && ran.Contains(s)
                    ? result with
                    {
                        Race = new RaceStats(LastIterationOf(s) + 1L, 0, LastIterationOf(s), offset + x.Start, offset + x.End),
                    }
                    : result).ToList()));
        }
        return orders;
    }

    private static IEnumerable<IReadOnlyList<int>> Permutations(IReadOnlyList<int> items) =>
        items.Count <= 1 ? [items] : items.SelectMany(i => Permutations(items.Where(x => x != i).ToList()).Select(rest => (IReadOnlyList<int>)[i, .. rest]));

    private static IReadOnlyList<Oracle.ExpectedBlock> Merge(IReadOnlyList<Oracle.ExpectedBlock> a, IReadOnlyList<Oracle.ExpectedBlock> b) =>
        a.Zip(b, (x, y) => x with { Allowed = Union(x.Allowed, y.Allowed), History = Union(x.History, y.History) }).ToList();

    /// <summary>Either; the same content both ways stays as strict as it was (a union allows a sector mix).</summary>
    private static Oracle.Allowed Union(Oracle.Allowed x, Oracle.Allowed y) =>
        x.MixOk == y.MixOk && x.ToString() == y.ToString() ? x : x.Union(y);
}
