using System.CommandLine;
using Bridge.Cli.Output;
using Bridge.Cli.Terminal;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Bridge.Targets.Bisect;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge bisect</c>: the first kernel version of a line (or commit of a tree) where the scenarios'
/// verdict changes. The search is <see cref="BisectSearch"/>; this command lists the candidates, boots each one the
/// search asks for, judges its observations with the oracle and prints the result.</summary>
public static class BisectCommand
{
    public static Command Create()
    {
        var selection = new ScenarioSelection();
        var line = new Option<string?>("--line") { Description = "the kernel line whose versions to search ('pinbridge kernels' lists them), e.g. debian-6.12" };
        var kernel = new Option<string?>("--kernel") { Description = "instead of --line: a script that builds the commit checked out in --tree and prints the bzImage's path (then, optionally, the modules directory) as its last line(s)", HelpName = "SCRIPT" };
        var tree = new Option<string?>("--tree") { Description = "with --kernel: the git work tree whose commits to search (git rev-list --first-parent GOOD..BAD)", HelpName = "DIR" };
        var good = new Option<string?>("--good") { Description = "the old end of the range (a version of the line, default its oldest; with --kernel a commit, required)", HelpName = "VERSION" };
        var bad = new Option<string?>("--bad") { Description = "the new end of the range (default the line's newest; with --kernel a commit, required)", HelpName = "VERSION" };
        var every = new Option<bool>("--every") { Description = "test every candidate of the range, oldest first, and report every change (default: halve the range)" };
        var repeat = new Option<int>("--repeat") { Description = "runs per candidate (1-20, default 1); a scenario's verdict is the most severe of its runs, for races that show a finding only sometimes", DefaultValueFactory = _ => 1 };
        var byErrno = new Option<bool>("--errno") { Description = "tell findings of one class apart by the errno their culprit step failed with (io-error(EUCLEAN) vs io-error(EIO))" };
        var refused = new Option<RefusedMeaning>("--refused") { Description = "what a refused pin means: skip (default: the candidate cannot be tested, the device never wrote) or verdict (bisect the refusal itself)", DefaultValueFactory = _ => RefusedMeaning.Skip };
        var json = new Option<bool>("--json") { Description = "print one JSON document: the range, the result and every candidate tested with its verdict and steps" };
        var timeout = TimeoutOption.Create();
        var command = new Command("bisect", "Find the first kernel version of a line (--line) or the first commit of a tree (--kernel SCRIPT --tree DIR) where the scenarios' verdict changes: boots the ends of the range, then halves it; candidates that cannot be tested (no boot, skipped, a refused pin) are skipped like git bisect skip. Prints the last candidate with the old verdict and the first with the new one, each step's result on both, and every candidate tested. Exit 0: a change found; 1: no change between the ends; 2: usage errors; 125: cannot decide (nothing testable, a named end untestable, or the change lies among untestable candidates).")
        {
            line, kernel, tree, good, bad, every, repeat, byErrno, refused, json, timeout,
        };
        selection.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var scenarios = selection.Load(parse);
            if (selection.Listed(parse, scenarios))
                return 0;
            var runs = parse.GetValue(repeat);
            if (runs is < 1 or > 20)
                throw new UsageException($"--repeat {runs}: expected 1 to 20 runs per candidate");
            var rules = new VerdictRules(parse.GetValue(byErrno), parse.GetValue(refused) == RefusedMeaning.Verdict);
            var stepTimeout = parse.GetValue(timeout);
            var (lineName, script, dir) = (parse.GetValue(line), parse.GetValue(kernel), parse.GetValue(tree));
            if ((lineName is null) == (script is null))
                throw new UsageException("expected --line LINE (versions of a kernel line) or --kernel SCRIPT --tree DIR --good COMMIT --bad COMMIT (commits of a git tree), one of them");
            if (script is null && dir is not null)
                throw new UsageException("--tree goes with --kernel SCRIPT");
            var source = string.Join(" ", scenarios.Select(s => s.SourceFile).Distinct());
            var names = scenarios.Select(s => s.Name).ToList();
            using var progress = new ProgressLine(ProgressLine.Wanted);
            BisectOutcome outcome;
            string over;
            if (lineName is not null)
            {
                var cache = new KernelCache(recipe: TargetOption.Recipe());
                var versions = await LineVersionsAsync(cache, lineName, ct);
                var plan = Guard(() => LineCandidates.Plan(versions, parse.GetValue(good), parse.GetValue(bad), parse.GetValue(every)));
                over = lineName;
                outcome = await Bisection.RunAsync(plan, rules,
                    (c, order, token) => RunAsync(KernelSource.Line(c.Spec), $"vm:{c.Spec}", scenarios, runs, stepTimeout, progress, order, token),
                    t => Tell(progress, t), ct);
            }
            else
            {
                if (script is null || dir is null || parse.GetValue(good) is not { } from || parse.GetValue(bad) is not { } to)
                    throw new UsageException("--kernel SCRIPT needs --tree DIR, --good COMMIT and --bad COMMIT (the range git rev-list --first-parent GOOD..BAD)");
                await using var builds = await Guard(() => CommitBuilds.OpenAsync(dir, script, ct));
                var commits = await Guard(() => builds.CandidatesAsync(from, to, ct));
                var plan = new BisectPlan(commits, 0, commits.Count - 1, true, true, parse.GetValue(every));
                over = Path.GetFullPath(dir);
                outcome = await Bisection.RunAsync(plan, rules, async (c, order, token) =>
                {
                    progress.Target($"bisect #{order}: building {c.Name}", scenarios.Count);
                    var (built, why) = await builds.BuildAsync(c, token);
                    return built is null
                        ? new CandidateRun([], null, why)
                        : await RunAsync(built, $"vm:{c.Name}", scenarios, runs, stepTimeout, progress, order, token);
                }, t => Tell(progress, t), ct);
            }
            progress.Dispose();
            if (parse.GetValue(json))
                Console.Out.WriteLine(BisectJson.Render(outcome, over, source, names, rules, runs));
            else
                BisectTables.Print(TerminalConsole.For(Console.Out, StandardOutput.IsTerminal), outcome, over, source, names, rules, runs);
            return outcome.ExitCode;
        });
        return command;
    }

    /// <summary>What a refused pin means to the bisection.</summary>
    public enum RefusedMeaning { Skip, Verdict }

    /// <summary>Every version of the line the archive's index offers.</summary>
    private static async Task<IReadOnlyList<KernelVersion>> LineVersionsAsync(KernelCache cache, string lineName, CancellationToken ct)
    {
        if (lineName.Contains('@'))
            throw new UsageException($"--line {lineName}: expected a line without a version (the range is --good VERSION --bad VERSION)");
        TargetOption.KernelLine(lineName); // an unknown line is a usage error naming the lines
        var index = await cache.IndexAsync().WaitAsync(ct);
        if (index.Warning is not null)
            Console.Error.WriteLine($"pinbridge: warning: {index.Warning}");
        return await cache.VersionsAsync(cache.Recipe.Line(lineName), ct);
    }

    /// <summary>Boots the candidate <paramref name="runs"/> times and judges every observation.</summary>
    private static async Task<CandidateRun> RunAsync(KernelSource kernel, string name, IReadOnlyList<Scenario> scenarios, int runs, TimeSpan stepTimeout,
        ProgressLine progress, int order, CancellationToken ct)
    {
        var reports = new List<RunReport>();
        for (var r = 1; r <= runs; r++)
        {
            await using var target = new VmTarget(kernel) { StepTimeout = stepTimeout };
            progress.Target($"bisect #{order}{(runs > 1 ? $" run {r}/{runs}" : "")}: {name}", scenarios.Count);
            progress.Running(scenarios[0].Name);
            var done = 0;
            reports.Add(await JudgedRun.RunAsync(target, scenarios, run =>
            {
                done++;
                progress.Finished(run.Observation.Environment.KernelRelease, run.Verdict.HasFindings, done < scenarios.Count ? scenarios[done].Name : null);
            }, ct));
        }
        return new CandidateRun(reports, reports.Select(r => r.KernelRelease).FirstOrDefault(k => k is not null));
    }

    /// <summary>One line per tested candidate on standard error, as git bisect prints its steps.</summary>
    private static void Tell(ProgressLine progress, TestedCandidate t)
    {
        progress.Clear();
        Console.Error.WriteLine($"bisect #{t.Order}: {t.Candidate.Name}{(t.Release is null ? "" : $" ({t.Release})")}: " +
                                $"{(t.Result.Testable ? t.Result.Key : $"cannot test: {t.Result.Untestable}")}  [{BisectJson.Seconds(t.Elapsed)} s]");
    }

    private static T Guard<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static async Task<T> Guard<T>(Func<Task<T>> body)
    {
        try
        {
            return await body();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
