using System.Globalization;
using System.Text;
using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Repro;

/// <summary>The exit codes of a reproducer (printed in its header).</summary>
public static class ReproExit
{
    public const int Holds = 0, Finding = 1, Setup = 2, CannotJudge = 3, Refused = 4, PowerCut = 5;
}

/// <summary>
/// Writes one standalone C program that reproduces a scenario: it sets up the backing in a directory it is given,
/// performs the steps in order (races as threads with the same bounds), writes Bridge's self-checking blocks, reads
/// every block back through the check plan's paths and judges them against the expectations Bridge's oracle computed
/// here (<see cref="ReproPlan"/>), embedded as tables. Exit codes: <see cref="ReproExit"/>. Pure: it returns text.
/// </summary>
public static class ReproGenerator
{
    public static string Generate(Scenario scenario)
    {
        var plan = ReproPlan.For(scenario);
        var pinPaths = scenario.AllSteps().Where(s => s.Effect == Effect.Pin).Select(s => CPinPaths.For(s.PinPath)).Distinct().ToList();
        if (pinPaths.Count > 1)
            throw new ArgumentException($"{scenario.SourceFile}: a reproducer drives one pin path; this scenario uses {string.Join(", ", pinPaths.Select(p => p.Row.Name))}");
        var pinPath = pinPaths.SingleOrDefault();
        var sections = new List<string>();
        if (scenario.AllSteps().Any(s => s.Verb.UsesIoUring))
            sections.Add(CRuntime.Uring);
        foreach (var section in pinPath?.Sections ?? [])
            if (!sections.Contains(section))
                sections.Add(section);
        var libraries = new List<string>();
        if (sections.Contains(CRuntime.Uring))
            libraries.Add("-luring");
        if (pinPath is not null && !libraries.Contains(pinPath.Library))
            libraries.Add(pinPath.Library);

        var checkPlan = CheckPlan.For(scenario);
        var backing = CBackings.For(scenario.Backing);
        var c = new StringBuilder();
        Header(c, scenario, backing, libraries);
        c.AppendLine(CRuntime.Includes);
        if (sections.Contains(CRuntime.Uring))
            c.Append(CRuntime.UringHeaders);
        if (sections.Contains(CRuntime.VerbsPin))
            c.Append(CRuntime.VerbsHeaders);
        c.AppendLine();
        Facts(c, scenario, plan, checkPlan);
        c.AppendLine(CWriters.Declaration);
        c.AppendLine(CRuntime.BlockFormat);
        c.AppendLine(CRuntime.Harness);
        c.AppendLine(CRuntime.Judge);
        foreach (var section in sections)
            c.AppendLine(section);
        Expectations(c, plan, checkPlan);
        Steps(c, scenario, plan, checkPlan, pinPath);
        Main(c, scenario, plan, checkPlan, backing, pinPath);
        return c.ToString();
    }

    /// <summary>The build line the file's first line gives, e.g. <c>gcc -O2 -Wall -Wextra -Werror repro.c -o repro -luring</c>.</summary>
    public static string BuildCommand(IEnumerable<string> libraries) =>
        string.Join(' ', new[] { "gcc -O2 -Wall -Wextra -Werror repro.c -o repro" }.Concat(libraries));

    private static void Header(StringBuilder c, Scenario s, CBacking backing, List<string> libraries)
    {
        c.AppendLine($"/* build: {BuildCommand(libraries)} */");
        c.AppendLine($"/* run:   ./repro {backing.Usage}   (as root; exit {ReproExit.Holds}: the oracle's rules hold, {ReproExit.Finding}: a finding, " +
                     $"{ReproExit.Refused}: the kernel refused the pin, {ReproExit.Setup}: setup failed, {ReproExit.CannotJudge}: a step failed that the expectations assume succeeds, " +
                     $"{ReproExit.PowerCut}: stopped where the scenario cuts the power) */");
        c.AppendLine("/*");
        c.AppendLine($" * Reproducer of Bridge scenario {s.Name} ({s.SourceFile}), written by `pinbridge repro`.");
        foreach (var line in s.Text.Split('\n').TakeWhile(l => l.TrimStart().StartsWith('#')))
            c.AppendLine($" * {line.TrimStart().TrimStart('#').Trim()}");
        c.AppendLine(" *");
        c.AppendLine($" * backing {s.Backing.Name} ({s.Backing.Description}), MAP_{s.Map.ToString().ToUpperInvariant()},");
        c.AppendLine($" * a file of {s.Geometry.FileSize} bytes = {s.Geometry.BlockCount} blocks of {s.Geometry.BlockSize}, " +
                     (s.Init == InitialFill.Data ? "generation 0 in every block, synced." : "sparse (a hole)."));
        c.AppendLine($" * {CBackings.ArgumentHelp(s.Backing)}.");
        c.AppendLine(" * It leaves its files there: `pinbridge check FILE` verifies their blocks.");
        c.AppendLine(" *");
        c.AppendLine(" * The steps:");
        foreach (var step in s.AllSteps())
            c.AppendLine($" *   #{step.Index,-3} {step.At.File}:{step.At.Line}  {Indent(s, step)}{step.Text}");
        c.AppendLine(" */");
    }

    private static string Indent(Scenario s, Step step) => s.Steps.Contains(step) ? "" : "  ";

    private static void Facts(StringBuilder c, Scenario s, ReproPlan plan, CheckPlan checkPlan)
    {
        var maxAllowed = plan.Branches.SelectMany(b => b.Expected).Max(e => Math.Max(Contents(e.Allowed).Count, Contents(e.History).Count));
        c.AppendLine("/* ---- the scenario's facts ---- */");
        // Not BLOCK_SIZE: <linux/fs.h>, which liburing's headers include, defines that as 1024.
        c.AppendLine($"#define BLOCK_BYTES {s.Geometry.BlockSize}");
        c.AppendLine($"#define BLOCK_COUNT {s.Geometry.BlockCount}");
        c.AppendLine($"#define FILE_SIZE ((size_t)BLOCK_COUNT * BLOCK_BYTES)");
        c.AppendLine($"#define STEP_COUNT {s.StepCount}");
        c.AppendLine($"#define OUTPUT_COUNT {checkPlan.OutputFiles.Count}");
        c.AppendLine($"#define VIEW_COUNT {checkPlan.Views.Count}");
        c.AppendLine($"#define MAX_ALLOWED {maxAllowed}");
        c.AppendLine($"#define EXIT_HOLDS {ReproExit.Holds}");
        c.AppendLine($"#define EXIT_FINDING {ReproExit.Finding}");
        c.AppendLine($"#define EXIT_SETUP {ReproExit.Setup}");
        c.AppendLine($"#define EXIT_CANNOT_JUDGE {ReproExit.CannotJudge}");
        c.AppendLine($"#define EXIT_REFUSED {ReproExit.Refused}");
        c.AppendLine($"#define EXIT_POWER_CUT {ReproExit.PowerCut}");
        c.AppendLine();
    }

    // ---- expectations -----------------------------------------------------------------------------------------

    private static void Expectations(StringBuilder c, ReproPlan plan, CheckPlan checkPlan)
    {
        c.AppendLine("/* ---- what Bridge's oracle allows at every check (docs/ARCHITECTURE.md §7), computed when this file was");
        c.AppendLine(" * written; one table per combination of refused pins (bit i: the scenario's i-th pin step). ---- */");
        c.AppendLine("static const struct view VIEWS[VIEW_COUNT] = {");
        foreach (var view in checkPlan.Views)
            c.AppendLine($"\t{{{FileIndex(checkPlan, view.File)}, PATH_{view.Path.ToString().ToUpperInvariant()}}}, /* {view.File} {view.Path} */");
        c.AppendLine("};");
        c.AppendLine();
        foreach (var branch in plan.Branches)
        {
            var refused = plan.PinSteps.Where((_, i) => (branch.RefusedPins & (1 << i)) != 0).Select(p => $"#{p.Index}").ToList();
            c.AppendLine($"/* {(refused.Count == 0 ? "every pin taken" : $"pin {string.Join(", ", refused)} refused")} */");
            c.AppendLine($"static const struct expectation expect_{branch.RefusedPins}[] = {{");
            foreach (var row in Rows(branch.Expected, checkPlan))
                c.AppendLine(row);
            c.AppendLine("};");
        }
        c.AppendLine();
        c.AppendLine($"static const struct expectation *const EXPECT[] = {{{string.Join(", ", plan.Branches.Select(b => $"expect_{b.RefusedPins}"))}}};");
        c.AppendLine($"static const int EXPECT_ROWS[] = {{{string.Join(", ", plan.Branches.Select(b => $"(int)(sizeof(expect_{b.RefusedPins}) / sizeof(expect_{b.RefusedPins}[0]))"))}}};");
        c.AppendLine();
    }

    /// <summary>One row per run of consecutive blocks of a view that may hold the same.</summary>
    private static IEnumerable<string> Rows(IReadOnlyList<ExpectedBlock> expected, CheckPlan checkPlan)
    {
        var views = checkPlan.Views.ToList();
        foreach (var group in expected.GroupBy(e => (e.Check, ViewIndex: views.IndexOf(e.View))))
        {
            var blocks = group.OrderBy(e => e.Block).ToList();
            for (var i = 0; i < blocks.Count;)
            {
                var body = RowBody(blocks[i]);
                var j = i;
                while (j + 1 < blocks.Count && RowBody(blocks[j + 1]) == body)
                    j++;
                yield return $"\t{{{group.Key.Check}, {group.Key.ViewIndex}, {blocks[i].Block}, {blocks[j].Block}, {body}}}, /* {blocks[i].View.File} {blocks[i].View.Path}: {blocks[i].Allowed} */";
                i = j + 1;
            }
        }
    }

    private static string RowBody(ExpectedBlock e)
    {
        var allowed = Contents(e.Allowed);
        var older = Contents(e.History);
        return $"{(e.Allowed.MixOk ? 1 : 0)}, {allowed.Count}, {{{string.Join(", ", allowed)}}}, {older.Count}, {{{string.Join(", ", older)}}}";
    }

    /// <summary>The contents an <see cref="Allowed"/> lists, as C initializers of <c>struct content</c>.</summary>
    private static List<string> Contents(Allowed allowed) =>
        allowed.Origins.OrderBy(o => o.Key.Kind).ThenBy(o => o.Key.Gen).ThenBy(o => o.Key.Iteration).Select(o => CContent(o.Key, o.Value, upTo: false))
            .Concat(allowed.Iterations.OrderBy(i => i.Key.Gen).ThenBy(i => i.Key.Moved).Select(i => CContent(i.Key with { Iteration = i.Value.MaxIteration }, i.Value.Step, upTo: true)))
            .ToList();

    private static string CContent(Content content, int step, bool upTo)
    {
        var kind = content.Kind switch
        {
            ContentKind.Hole => "CONTENT_HOLE",
            ContentKind.BeyondEof => "CONTENT_EOF",
            _ => "CONTENT_DATA",
        };
        var race = ReproPlan.RaceStepOf(content.Iteration);
        var iteration = race is null ? content.Iteration : 0;
        return $"{{{kind}, {content.Gen}, {iteration}, {race ?? -1}, {(upTo ? 1 : 0)}, {step}, {content.Moved}}}";
    }

    private static int FileIndex(CheckPlan plan, string file) =>
        file == CheckPlan.DataFile ? 0 : plan.OutputFiles.ToList().IndexOf(file) + 1;

    // ---- steps ------------------------------------------------------------------------------------------------

    private static void Steps(StringBuilder c, Scenario s, ReproPlan plan, CheckPlan checkPlan, CPinPath? pinPath)
    {
        c.AppendLine("/* ---- the steps, one function each: 0 ok, -errno failed, NOT_RUN not attempted ---- */");
        foreach (var step in s.AllSteps().Where(x => !x.Verb.IsSequenced))
        {
            var runs = $"runs_{step.Index}";
            var list = step.Args.Blocks?.Runs().ToList() ?? [];
            var output = step.Args.Target is { } target ? FileIndex(checkPlan, target) : 0;
            var afterPowerCut = plan.AfterPowerCut.TryGetValue(step.Index, out var expected) ? Evidence.ExpectationText(expected, s.Geometry.BlockSize) : null;
            var body = CStepEmitters.All[step.Verb](new CStep(step, runs, list.Count, output, pinPath?.Row, afterPowerCut));
            if (body.Contains(runs, StringComparison.Ordinal))
                c.AppendLine($"static const struct run {runs}[] = {{{string.Join(", ", list.Select(r => $"{{{r.First}, {r.Count}}}"))}}};");
            if (step.Verb.UsesIoUring)
                c.AppendLine($"static struct uring ring_{step.Index};");
            c.AppendLine($"/* #{step.Index} {step.At}: {step.Text} */");
            c.AppendLine($"static long step_{step.Index}(uint32_t iteration)");
            c.AppendLine("{");
            c.Append(body);
            c.AppendLine("}");
            c.AppendLine();
        }
    }

    private static void Main(StringBuilder c, Scenario s, ReproPlan plan, CheckPlan checkPlan, CBacking backing, CPinPath? pinPath)
    {
        var argCount = backing.Usage.Split(' ').Count(a => !a.StartsWith('[') && !a.EndsWith(']'));
        c.AppendLine("int main(int argc, char **argv)");
        c.AppendLine("{");
        if (backing.Mkfs is not null)
        {
            c.AppendLine("\tconst char *device = NULL;");
            c.AppendLine("\tif (argc > 2 && strcmp(argv[1], \"-d\") == 0) {");
            c.AppendLine("\t\tdevice = argv[2];");
            c.AppendLine("\t\targv += 2;");
            c.AppendLine("\t\targc -= 2;");
            c.AppendLine("\t}");
        }
        c.AppendLine($"\tif (argc < {argCount + 1}) {{");
        c.AppendLine($"\t\tfprintf(stderr, \"usage: %s {backing.Usage}\\n  {Escape(CBackings.ArgumentHelp(s.Backing))}\\n\", argv[0]);");
        c.AppendLine("\t\treturn EXIT_SETUP;");
        c.AppendLine("\t}");
        c.AppendLine("\tsetvbuf(stdout, NULL, _IOLBF, 0);");
        c.AppendLine("\tcrc32c_init();");
        c.AppendLine("\tif (getrandom(&run_id, sizeof(run_id), 0) != sizeof(run_id))");
        c.AppendLine("\t\tdie(\"getrandom\");");
        c.AppendLine($"\tprintf(\"scenario {Escape(s.Name)}: run id %016\" PRIx64 \"\\n\", run_id);");
        c.AppendLine();
        c.AppendLine($"\t/* the backing: {Escape(s.Backing.Description)} */");
        c.Append(backing.Setup);
        var mapFlags = (s.Map == MapKind.Shared ? "MAP_SHARED" : "MAP_PRIVATE") + (backing.MapFlags == "0" ? "" : $" | {backing.MapFlags}");
        c.AppendLine($"\tset_up_file_and_mapping({mapFlags}, {(s.Init == InitialFill.Data ? 1 : 0)}, {(backing.FillThroughMapping ? 1 : 0)});");
        if (pinPath?.DeviceSetup is { } device)
            c.AppendLine($"\t{device}");
        foreach (var step in s.AllSteps())
        {
            if (step.Verb.ReadsSourceFile && step.Verb.File is null)
                c.AppendLine($"\topen_source({step.Index});");
            if (step.Verb.ReadsSiblingFile)
                c.AppendLine($"\topen_sibling({step.Index});");
            if (step.Verb.UsesIoUring)
                c.AppendLine($"\turing_init(&ring_{step.Index});");
        }
        foreach (var (name, i) in checkPlan.OutputFiles.Select((n, i) => (n, i)))
            c.AppendLine($"\topen_output({i + 1}, \"{Escape(name)}\");");
        c.AppendLine();

        Step? pin = null;
        foreach (var step in s.Steps)
        {
            c.AppendLine($"\t/* #{step.Index} {step.At}: {step.Text} */");
            switch (step.Effect)
            {
                case Effect.Check:
                    c.AppendLine($"\tcheck({step.Index}, \"{Escape(step.Text)}\", VIEWS, VIEW_COUNT, EXPECT[refused_pins], EXPECT_ROWS[refused_pins], " +
                                 $"{(s.Backing.HasFile && s.Map == MapKind.Shared ? 1 : 0)});");
                    break;
                case Effect.Race:
                    Race(c, step, plan, pin);
                    break;
                default:
                    Call(c, step, plan, pin, "\t");
                    break;
            }
            if (step.Effect == Effect.Pin)
                pin = step;
            else if (step.Effect == Effect.Unpin)
                pin = null;
            c.AppendLine();
        }

        c.AppendLine("\trelease_children();");
        c.AppendLine("\tprintf(\"\\n%d block findings, %d io-errors%s\\n\", findings, io_errors, refused_pins ? \", the pin was refused\" : \"\");");
        c.AppendLine($"\tprintf(\"files left for `pinbridge check`: %s%s\\n\", S.data_fd >= 0 && S.dir ? S.data_path : \"(no data file)\", OUTPUT_COUNT ? \" and the out-* files in the auxiliary directory\" : \"\");");
        c.AppendLine("\tif (io_errors)");
        c.AppendLine("\t\treturn EXIT_FINDING;");
        c.AppendLine("\tif (cannot_judge)");
        c.AppendLine("\t\treturn EXIT_CANNOT_JUDGE;");
        c.AppendLine("\tif (findings)");
        c.AppendLine("\t\treturn EXIT_FINDING;");
        c.AppendLine("\treturn refused_pins ? EXIT_REFUSED : EXIT_HOLDS;");
        c.AppendLine("}");
    }

    /// <summary>A top-level step: not run when the harness declines it or when the pin it needs was refused; else one call.</summary>
    private static void Call(StringBuilder c, Step step, ReproPlan plan, Step? pin, string indent)
    {
        var text = Escape(step.Text);
        if (plan.NotRun.TryGetValue(step.Index, out var why))
        {
            c.AppendLine($"{indent}not_run({step.Index}, \"{text}\", \"{Escape(why)}\");");
            return;
        }
        var body = $"record({step.Index}, \"{text}\", step_{step.Index}(0));";
        if (step.Verb.NeedsPin && pin is not null)
        {
            c.AppendLine($"{indent}if (results[{pin.Index}].outcome != OUTCOME_OK)");
            c.AppendLine($"{indent}\tnot_run({step.Index}, \"{text}\", \"needs the pin #{pin.Index} could not take\");");
            c.AppendLine($"{indent}else");
            c.AppendLine($"{indent}\t{body}");
        }
        else
        {
            c.AppendLine($"{indent}{body}");
        }
        if (step.Effect == Effect.Pin)
        {
            var bit = plan.PinSteps.ToList().IndexOf(step);
            c.AppendLine($"{indent}if (results[{step.Index}].outcome == OUTCOME_ERRNO)");
            c.AppendLine($"{indent}\trefused_pins |= 1 << {bit}; /* the kernel refused the long-term pin */");
        }
        c.AppendLine($"{indent}step_outcome({step.Index}, \"{text}\", {(step.Effect == Effect.Persist ? 1 : 0)}, {(step.Effect == Effect.Pin ? 1 : 0)});");
    }

    /// <summary>A race: every body step on its own thread, each repeating up to the race's count or time bound.</summary>
    private static void Race(StringBuilder c, Step race, ReproPlan plan, Step? pin)
    {
        var count = race.Args.Count is { } n ? n.ToString(CultureInfo.InvariantCulture) : "LONG_MAX";
        var until = race.Args.For is { } d ? $"now_ns() + {(long)d.TotalNanoseconds}LL" : "INT64_MAX";
        c.AppendLine("\t{");
        c.AppendLine($"\t\tprintf(\"#{race.Index} {Escape(race.Text)}\\n\");");
        c.AppendLine($"\t\tstruct racer racers[{race.Body.Count}];");
        c.AppendLine("\t\tint n = 0;");
        c.AppendLine($"\t\tint64_t until = {until};");
        foreach (var step in race.Body)
        {
            var text = Escape(step.Text);
            c.AppendLine($"\t\t/* #{step.Index} {step.At}: {step.Text} */");
            if (plan.NotRun.TryGetValue(step.Index, out var why))
                c.AppendLine($"\t\tnot_run({step.Index}, \"{text}\", \"{Escape(why)}\");");
            else if (step.Verb.NeedsPin && pin is not null)
                c.AppendLine($"\t\tif (results[{pin.Index}].outcome != OUTCOME_OK)\n\t\t\tnot_run({step.Index}, \"{text}\", \"needs the pin #{pin.Index} could not take\");\n\t\telse\n" +
                             $"\t\t\tracers[n++] = (struct racer){{.step = {step.Index}, .fn = step_{step.Index}, .count = {count}, .until = until}};");
            else
                c.AppendLine($"\t\tracers[n++] = (struct racer){{.step = {step.Index}, .fn = step_{step.Index}, .count = {count}, .until = until}};");
        }
        c.AppendLine("\t\tif (n > 0)\n\t\t\trun_race(racers, n);");
        c.AppendLine($"\t\tresults[{race.Index}].outcome = OUTCOME_OK;");
        foreach (var step in race.Body)
            c.AppendLine($"\t\tstep_outcome({step.Index}, \"{Escape(step.Text)}\", {(step.Effect == Effect.Persist ? 1 : 0)}, 0);");
        c.AppendLine("\t}");
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
