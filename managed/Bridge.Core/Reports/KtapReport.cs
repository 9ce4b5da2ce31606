using Bridge.Core.Oracle;

namespace Bridge.Core.Reports;

/// <summary>
/// KTAP version 1 as kselftest and KUnit print it, built line by line as results arrive (so it can stream):
/// <code>
/// KTAP version 1
/// # pinbridge run on host
/// 1..3
/// # kernel 6.18.4 on host
/// ok 1 dma-into-truncated-page
/// # lost-write: data blocks 0-3 (bytes 0-16383) read with O_DIRECT (the disk) at the check on line 15
/// #     expected g3 …
/// not ok 2 lost-write-after-writeback
/// ok 3 rdma-anon # SKIP rdma-mr: no RDMA device
/// </code>
/// Diagnostics come before the result line they explain, as kselftest's ksft_print_msg does. With several targets
/// (regress) each target is a subtest block indented four spaces, as KUnit nests a suite, and its own result line
/// follows it: <c>not ok 2 sim:linux-2019-legacy</c>. An interrupted run ends with <c>Bail out! REASON</c>.
/// TAP consumers (prove) read the top level and ignore the indented blocks.
/// </summary>
public sealed class KtapDocument
{
    private const string Indent = "    ";
    private readonly List<string> _lines = [];
    private readonly bool _nested;
    private int _target;
    private int _test;
    private bool _kernelSaid;

    /// <param name="title">What ran, for the first diagnostic line (<c>pinbridge regress: 2 kernels</c>).</param>
    /// <param name="targets">The targets, in order; more than one nests a subtest block per target.</param>
    /// <param name="planned">Scenarios each target runs (the plan of a single target's document).</param>
    public KtapDocument(string title, IReadOnlyList<string> targets, int planned)
    {
        _nested = targets.Count > 1;
        _lines.Add("KTAP version 1");
        _lines.Add("# " + Clean(title));
        _lines.Add($"1..{(_nested ? targets.Count : planned)}");
    }

    /// <summary>Every line so far; a document cut here is still valid KTAP (its plan says what did not finish).</summary>
    public IReadOnlyList<string> Lines => _lines;

    public string Text => string.Join('\n', _lines) + "\n";

    /// <summary>Opens a target: in a nested document, its subtest block.</summary>
    public void BeginTarget(string target, int planned)
    {
        _test = 0;
        _kernelSaid = false;
        if (!_nested)
            return;
        _lines.Add(Indent + "KTAP version 1");
        _lines.Add(Indent + "# Subtest: " + Clean(target));
        _lines.Add(Indent + $"1..{planned}");
    }

    /// <summary>A finished scenario: its diagnostics, then its result line.</summary>
    public void Add(ScenarioRun run)
    {
        var prefix = _nested ? Indent : "";
        if (!_kernelSaid && run.Observation.Environment.KernelRelease is not "unknown")
        {
            _lines.Add($"{prefix}# kernel {Clean(run.Observation.Environment.KernelRelease)} on {Clean(run.Observation.Environment.Target)}");
            _kernelSaid = true;
        }
        foreach (var line in FindingText.Lines(run))
            _lines.Add($"{prefix}# {Clean(line)}");
        foreach (var r in run.Verdict.Refusals)
            _lines.Add($"{prefix}# refused: '{Clean(r.Text)}' returned {r.Errno}");
        var v = run.Verdict;
        var directive = v.Class switch
        {
            VerdictClass.Skipped => $" # SKIP {Clean(v.SkipReason ?? "no reason given")}",
            VerdictClass.Interrupted => $" # SKIP interrupted: {Clean(v.SkipReason ?? "by a signal")}",
            _ => "",
        };
        _lines.Add($"{prefix}{(v.HasFindings ? "not ok" : "ok")} {++_test} {Name(run.Scenario.Name)}{directive}");
    }

    /// <summary>Closes a target: in a nested document, its result line (not ok when it has findings, SKIP when it
    /// judged nothing).</summary>
    public void EndTarget(RunReport report)
    {
        if (!_nested)
        {
            _lines.Add($"# {Clean(report.Target)}: {report.CountsText}");
            return;
        }
        _lines.Add($"{Indent}# {Clean(report.Target)}: {report.CountsText}");
        var result = report.ExitCode switch
        {
            ExitCodes.Findings => "not ok",
            _ => "ok",
        };
        var directive = report.ExitCode == ExitCodes.NothingJudged ? " # SKIP every scenario was skipped" : "";
        _lines.Add($"{result} {++_target} {Name(report.Target)}{directive}");
    }

    /// <summary>The run stops here: TAP's and kselftest's <c>Bail out!</c>.</summary>
    public void BailOut(string reason) => _lines.Add("Bail out! " + Clean(reason));

    /// <summary>A test name carries no '#' (it would start a directive) and no line break.</summary>
    private static string Name(string name) => Clean(name).Replace('#', '_');

    private static string Clean(string text) => text.ReplaceLineEndings(" ");
}
