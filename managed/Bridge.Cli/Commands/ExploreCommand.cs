using System.CommandLine;
using System.Globalization;
using Bridge.Cli.Output;
using Bridge.Cli.Terminal;
using Bridge.Core.Exploration;
using Bridge.Core.Oracle;
using Bridge.Core.Reports;
using Bridge.Core.Repro;
using Bridge.Targets.Exploration;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge explore</c>: generated scenarios on a target (and the model of an era beside it); every new
/// failure shrunk and saved. The work is Targets' <see cref="Explorer"/>; this wires the options, the live line and
/// the files.</summary>
public static class ExploreCommand
{
    public static Command Create()
    {
        var target = new TargetOption();
        var policy = ModelOption();
        var seed = new Option<ulong?>("--seed") { Description = "the generator's seed: the same seed and target run the same scenarios (default: a new one, printed)" };
        var duration = DurationOption();
        var count = new Option<int?>("--count") { Description = "generate this many scenarios (with --for: whichever comes first)" };
        var output = new Option<string?>("--output", "-o") { Description = "save each new failure here: NAME.scn (shrunk, with seed and both verdicts), NAME.original.scn, NAME.repro.c" };
        var replay = new Option<string?>("--replay") { Description = "run a saved finding (DIR/NAME.scn) again on the target (and the model) instead of exploring" };
        var json = new Option<bool>("--json") { Description = "print one JSON document: counts, every finding (signature, as found, shrunk, files), coverage" };
        var batch = BatchOption("scenarios generated per run on the target (a VM boots once per batch; default 200 for vm targets, 16 otherwise); shrinking runs its candidates 24 per boot on a VM (72 once a round's first 24 had none failing), one at a time elsewhere");
        var raceRuns = RaceRunsOption();
        var timeout = TimeoutOption.Create();
        var shrink = new Option<string?>("--shrink")
        {
            Description = $"which new failures to shrink, comma-separated (default: all): {string.Join(", ", ShrinkNames)}, or none; the others are saved as found",
        };
        var command = new Command("explore", "Generate scenarios from the language's tables and run each on the target (and, with --policy, on the model of that era); every oracle finding on the kernel and every kernel-vs-model disagreement is shrunk and, with -o, saved as a minimal .scn with its C reproducer; failures are de-duplicated by signature (verdict class, culprit verb, backing, pin path, errno). Exit 0: nothing found; 1: findings or disagreements; 2: usage errors; 4: nothing judged (every scenario skipped); 130: interrupted.")
        {
            policy, seed, duration, count, output, replay, json, batch, raceRuns, timeout, shrink,
        };
        target.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(count) is <= 0)
                r.AddError("--count: expected a number of scenarios, 1 or more");
            if (r.GetValue(replay) is not null && (r.GetValue(count) is not null || r.GetResult(duration) is not null))
                r.AddError("--replay runs the saved scenario; it takes no --count or --for");
            if (r.GetValue(shrink) is { } names && ShrinkSet(names).FirstOrDefault(n => !ShrinkNames.Contains(n)) is { } unknown)
                r.AddError($"--shrink: '{unknown}' is not a verdict class of a finding or 'disagreement'; expected a comma-separated list of {string.Join(", ", ShrinkNames)}, or none");
        });
        command.SetAction(async (parse, ct) =>
        {
            await using var real = target.Open(parse, parse.GetValue(timeout));
            await using var model = parse.GetValue(policy) is { } era ? TargetOption.Simulator(era) : null;
            var runner = new TrialRunner(real, model)
            {
                Batch = ShrinkBatch(parse.GetValue(target.Target)!),
                LaterBatch = ShrinkLaterBatch(parse.GetValue(target.Target)!, ShrinkBatch(parse.GetValue(target.Target)!)),
                RaceRuns = parse.GetValue(raceRuns),
            };
            if (parse.GetValue(replay) is { } file)
                return await ReplayAsync(runner, file, parse.GetValue(json), ct);
            var chosen = parse.GetValue(seed) ?? (ulong)Random.Shared.NextInt64(1, long.MaxValue);
            if (parse.GetValue(seed) is null)
                Console.Error.WriteLine($"explore: seed {chosen} (--seed {chosen} repeats this run)");
            var limit = parse.GetValue(count) is null && parse.GetResult(duration) is null ? DefaultDuration : parse.GetValue(duration);
            var explorer = new Explorer(runner, new ExploreOptions(chosen, parse.GetValue(count), limit, parse.GetValue(batch) ?? DefaultBatch(parse.GetValue(target.Target)!), ReproductionRuns: Math.Max(5, runner.RaceRuns),
                Shrink: parse.GetValue(shrink) is { } only ? ShrinkSet(only) : null));
            var dir = parse.GetValue(output) is { } o ? Prepare(o) : null;
            var saved = new Dictionary<FindingSignature, IReadOnlyList<string>>();
            string? kernel = null;
            var interrupted = false;
            using (var progress = new ProgressLine(ProgressLine.Wanted))
            {
                progress.Target(real.Name, 0);
                try
                {
                    await explorer.RunAsync(trial =>
                    {
                        kernel ??= trial.Real.Skip is null ? trial.Real.Environment.KernelRelease : null;
                        progress.Finished(kernel, false, null);
                        progress.Counts(Counts(explorer.Progress));
                    }, finding =>
                    {
                        if (dir is not null)
                            saved[finding.Signature] = Save(dir, finding, chosen, real.Name, model?.Name);
                        return Task.CompletedTask;
                    }, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    interrupted = true;
                }
            }
            var p = explorer.Progress;
            var exit = interrupted ? ExitCodes.Interrupted
                : explorer.Found.Count > 0 ? ExitCodes.Findings
                : p.Scenarios > 0 && p.Skipped == p.Scenarios ? ExitCodes.NothingJudged
                : ExitCodes.Pass;
            if (parse.GetValue(json))
                Console.Out.WriteLine(ExplorationJson.Explore(explorer, chosen, real.Name, kernel, model?.Name, exit, saved, interrupted));
            else
                foreach (var line in ExplorationText.Summary(explorer, chosen, real.Name, kernel, model?.Name, runner.RaceRuns).Concat(saved.Values.SelectMany(f => f.Take(1)).Select(f => $"saved {f}")))
                    Console.Out.WriteLine(line);
            return exit;
        });
        return command;
    }

    /// <summary>What --shrink takes: every verdict class of a finding, and disagreement.</summary>
    private static readonly IReadOnlyList<string> ShrinkNames =
        [.. Enum.GetValues<VerdictClass>().Where(c => c.IsFinding()).Select(c => c.Name()), "disagreement"];

    private static HashSet<string> ShrinkSet(string names) =>
        names == "none" ? [] : [.. names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>Without --for or --count: ten minutes.</summary>
    private static readonly TimeSpan DefaultDuration = TimeSpan.FromMinutes(10);

    private static string Counts(ExplorationProgress p) =>
        $"{p.Scenarios} scenarios  {p.PerSecond.ToString("0.0", CultureInfo.InvariantCulture)}/s  {(int)p.Elapsed.TotalMinutes}:{p.Elapsed.Seconds:00}  " +
        $"{p.WithFindings} with findings  {p.WithDisagreements} disagreeing  {p.Unique} unique";

    /// <summary>A VM boots once per batch: it gets large ones; everything else small ones, so a failure is shrunk soon.</summary>
    public static int DefaultBatch(string target) => IsVm(target) ? 200 : 16;

    /// <summary>Shrinking candidates per run: the first that still fails ends a round, so a VM (a boot per run) gets
    /// chunks of 24 rather than every candidate; elsewhere one at a time costs nothing extra.</summary>
    public static int ShrinkBatch(string target) => IsVm(target) ? 24 : 1;

    /// <summary>Candidates per run after a round's first run had none failing: that round is likely the fixpoint, where
    /// every candidate runs, so a VM takes the rest three runs' worth at a time; elsewhere still one at a time.</summary>
    public static int ShrinkLaterBatch(string target, int batch) => IsVm(target) ? 3 * batch : batch;

    private static bool IsVm(string target) => target.StartsWith("vm", StringComparison.Ordinal);

    public static Option<string?> ModelOption() => new("--policy")
    {
        Description = "also run every scenario on the model of this era and report where kernel and model disagree: linux-2019-legacy, linux-6.1, linux-6.5+ (aliases: legacy, linux-6.12, linux-6.18)",
    };

    public static Option<int?> BatchOption(string description) => new("--batch") { Description = description };

    public static Option<int> RaceRunsOption() => new("--race-runs")
    {
        Description = "runs of each shrinking candidate with a race (any failing run keeps it); default 3",
        DefaultValueFactory = _ => 3,
        Validators = { r => { if (r.GetValueOrDefault<int>() is < 1 or > 100) r.AddError("--race-runs: expected 1-100"); } },
    };

    private static Option<TimeSpan?> DurationOption() => new("--for")
    {
        Description = $"generate new scenarios for this long: {ExplorationBudget.Expected} (default without --count: 10m)",
        HelpName = "DURATION",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (ExplorationBudget.Parse(text) is { } d)
                return d;
            result.AddError($"--for '{text}': expected {ExplorationBudget.Expected}");
            return null;
        },
    };

    private static string Prepare(string dir)
    {
        try
        {
            return Directory.CreateDirectory(dir).FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"-o {dir}: {e.Message}");
        }
    }

    /// <summary>Writes the finding's files; returns their paths, the shrunk scenario first.</summary>
    private static IReadOnlyList<string> Save(string dir, ExploredFinding finding, ulong seed, string target, string? model)
    {
        var stem = Path.Combine(dir, finding.Signature.Slug);
        var scn = stem + ".scn";
        var files = new List<(string Path, string Text)>
        {
            (scn, ExplorationText.SavedScenario(finding, seed, target, model, Shown(scn))),
            (stem + ".original.scn", $"# generated by pinbridge explore --seed {seed} (scenario {finding.Index}); shrunk: {Path.GetFileName(scn)}\n" +
                                     ScenarioForm.Of(finding.First.Scenario).Render()),
        };
        try
        {
            files.Add((stem + ".repro.c", ReproGenerator.Generate(finding.Shrink.Minimal)));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"explore: no C reproducer for {Path.GetFileName(scn)}: {e.Message}");
        }
        AtomicFile.WriteAll(files);
        return [.. files.Select(f => Shown(f.Path))];
    }

    /// <summary>A path as the user gave it: relative below the working directory, absolute elsewhere.</summary>
    private static string Shown(string path) =>
        Path.GetRelativePath(Directory.GetCurrentDirectory(), path) is var relative && !relative.StartsWith("..", StringComparison.Ordinal) ? relative : path;

    private static async Task<int> ReplayAsync(TrialRunner runner, string file, bool json, CancellationToken ct)
    {
        var scenarios = ScenarioLoader.Load([file], []);
        var trials = await runner.RunAsync(scenarios, ct);
        var failing = trials.Any(t => t.Failures.Count > 0);
        var exit = failing ? ExitCodes.Findings : trials.All(t => !t.Judged) ? ExitCodes.NothingJudged : ExitCodes.Pass;
        if (json)
        {
            Console.Out.WriteLine(ExplorationJson.Replay(trials, runner.TargetName, runner.ModelName, exit));
            return exit;
        }
        foreach (var t in trials)
        {
            Console.Out.WriteLine($"{t.Scenario.Name}: {ExplorationText.Verdicts(t, runner.TargetName, runner.ModelName)}");
            foreach (var f in t.Failures)
                Console.Out.WriteLine($"  {f}");
        }
        return exit;
    }
}
