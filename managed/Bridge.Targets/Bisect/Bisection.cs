using System.Diagnostics;
using Bridge.Core.Reports;

namespace Bridge.Targets.Bisect;

/// <summary>One point of the searched history: a kernel version of a line (<c>6.12.111+deb12</c>) or a commit of a
/// git tree (its short id). <see cref="Spec"/> is what boots it (<c>debian-6.12@6.12.111+deb12</c>) or the full commit
/// id; <see cref="Title"/> the Debian version or the commit's subject.</summary>
public sealed record BisectCandidate(string Name, string Spec, string? Title = null);

/// <summary>What testing one candidate produced: a report per run (judged by the caller), the kernel's uname -r, or
/// why it could not be tested before anything ran (its build failed).</summary>
public sealed record CandidateRun(IReadOnlyList<RunReport> Runs, string? Release, string? NotRun = null);

/// <summary>A candidate as tested: in which order, what it gave, its runs and the kernel's release, how long it took
/// (build, boot and scenarios).</summary>
public sealed record TestedCandidate(int Order, int Index, BisectCandidate Candidate, ProbeResult Result, IReadOnlyList<ScenarioVerdictKey> Verdicts,
    IReadOnlyList<RunReport> Runs, string? Release, TimeSpan Elapsed);

/// <summary>What to search: the candidates (oldest first), the range's ends (indices) and whether the user named
/// them, and whether every candidate of the range is tested (<c>--every</c>) instead of halving.</summary>
public sealed record BisectPlan(IReadOnlyList<BisectCandidate> Candidates, int Low, int High, bool LowNamed, bool HighNamed, bool Every)
{
    public BisectSearch Search() => new(Candidates.Count, Low, High, LowNamed, HighNamed, Every);
}

/// <summary>Everything a bisection produced: the candidates (oldest first) and the range searched, every candidate
/// tested in the order tested, how it ended, and how long it took.</summary>
public sealed record BisectOutcome(BisectPlan Plan, IReadOnlyList<TestedCandidate> Tested, BisectConclusion Conclusion, TimeSpan Elapsed)
{
    /// <summary>Found a change between two adjacent testable candidates.</summary>
    public const int ChangeFound = 0;

    /// <summary>Both ends (every tested candidate) have the same verdict.</summary>
    public const int NoChange = 1;

    /// <summary>No two candidates could be compared, a named end could not be tested, or the change lies among
    /// candidates that cannot be tested (git bisect run's "cannot test").</summary>
    public const int CannotDecide = 125;

    /// <summary>Stopped by SIGINT or SIGTERM before the search was over (128 + SIGINT, as every pinbridge command).</summary>
    public const int Interrupted = 130;

    public int ExitCode => Conclusion.Kind switch
    {
        ConclusionKind.Changed when Conclusion.Between.Count == 0 => ChangeFound,
        ConclusionKind.NoChange => NoChange,
        ConclusionKind.Interrupted => Interrupted,
        _ => CannotDecide,
    };

    public TestedCandidate? At(int? index) => index is { } i ? Tested.FirstOrDefault(t => t.Index == i) : null;
}

/// <summary>
/// Drives <see cref="BisectSearch"/> over real candidates: <paramref name="test"/> builds (for commits), boots and
/// runs the scenarios on a candidate and returns the judged reports; <see cref="VersionVerdict"/> turns them into the
/// verdict the search compares. Judging stays with the caller (Targets streams observations; the CLI judges).
/// </summary>
public static class Bisection
{
    /// <param name="test">Tests a candidate; its second argument is the candidate's place in the testing order (1, 2 …).</param>
    public static async Task<BisectOutcome> RunAsync(BisectPlan plan, VerdictRules rules,
        Func<BisectCandidate, int, CancellationToken, Task<CandidateRun>> test, Action<TestedCandidate>? onTested, CancellationToken ct)
    {
        var candidates = plan.Candidates;
        var search = plan.Search();
        var clock = Stopwatch.StartNew();
        var tested = new List<TestedCandidate>();
        while (true)
        {
            switch (search.Next())
            {
                case BisectStep.Done done:
                    return new BisectOutcome(plan, tested, done.Conclusion, clock.Elapsed);
                case BisectStep.Test next:
                    var started = clock.Elapsed;
                    CandidateRun run;
                    try
                    {
                        run = await test(candidates[next.Index], tested.Count + 1, ct);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        return Interrupted(plan, search, tested, clock);
                    }
                    // A candidate stopped half-way was not tested: its interrupted scenarios are no verdict.
                    if (ct.IsCancellationRequested)
                        return Interrupted(plan, search, tested, clock);
                    var result = run.NotRun is { } why ? ProbeResult.CannotTest(why) : VersionVerdict.Classify(run.Runs, rules);
                    search.Record(next.Index, result);
                    var entry = new TestedCandidate(tested.Count + 1, next.Index, candidates[next.Index], result,
                        result.Testable ? VersionVerdict.Scenarios(run.Runs, rules) : [], run.Runs, run.Release, clock.Elapsed - started);
                    tested.Add(entry);
                    onTested?.Invoke(entry);
                    break;
            }
        }
    }

    private static BisectOutcome Interrupted(BisectPlan plan, BisectSearch search, List<TestedCandidate> tested, Stopwatch clock) =>
        new(plan, tested, search.Interrupted($"interrupted after {tested.Count} of the range's {plan.High - plan.Low + 1} candidates"), clock.Elapsed);
}
