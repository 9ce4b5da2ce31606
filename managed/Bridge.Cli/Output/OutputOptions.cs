using System.CommandLine;
using Bridge.Core.Reports;
using Spectre.Console;

namespace Bridge.Cli.Output;

/// <summary>The result options every command that runs scenarios shares: what goes to standard output (a table,
/// <c>--tap</c> KTAP lines as scenarios finish, or <c>--json</c> one document at the end) and <c>--output DIR</c>
/// (with <c>--keep</c>) for files a CI system collects.</summary>
public sealed class OutputOptions
{
    public Option<bool> Tap { get; } = new("--tap") { Description = "print KTAP version 1 as kselftest/KUnit do (ok N name, # SKIP reason, diagnostics as '# …'), each result as its scenario finishes; 'Bail out!' when interrupted" };
    public Option<bool> Json { get; } = new("--json") { Description = "print one JSON document with every observation and verdict (run ids as hex strings), when the run ends" };
    public Option<string?> Output { get; } = new("--output") { Description = "write results.json, results.ktap, junit.xml and report.html to DIR, rewritten whole after every scenario (a killed run leaves valid files), and an evidence folder per finding (scenario, observation, kernel log, the data file as the kernel left it and what `check --expect` should find in it)" };
    public Option<bool> Keep { get; } = new("--keep") { Description = "with --output: keep the evidence folder and file images of every scenario, not only those with findings" };

    public void AddTo(Command command)
    {
        command.Options.Add(Tap);
        command.Options.Add(Json);
        command.Options.Add(Output);
        command.Options.Add(Keep);
    }

    /// <summary>The pipeline for one command's results; checks the options first (usage errors).</summary>
    public ResultsPipeline Pipeline(ParseResult parse, string command, IReadOnlyList<string> targets, int scenariosPerTarget,
        Action<IAnsiConsole, Results>? table = null)
    {
        var json = parse.GetValue(Json);
        var tap = parse.GetValue(Tap);
        if (json && tap)
            throw new UsageException("--json and --tap both print to standard output; expected one of them (--output DIR writes both formats to files)");
        var output = parse.GetValue(Output);
        if (parse.GetValue(Keep) && output is null)
            throw new UsageException("--keep keeps files in the --output directory; expected --output DIR with it");
        var format = json ? StdoutFormat.Json : tap ? StdoutFormat.Ktap : StdoutFormat.Table;
        return new ResultsPipeline(command, targets, scenariosPerTarget, format,
            output is null ? null : new OutputDirectory(output, parse.GetValue(Keep)), table ?? ResultTablesWriter);
    }

    private static void ResultTablesWriter(IAnsiConsole console, Results results) => Terminal.ResultTables.Write(console, results);
}

public enum StdoutFormat
{
    Table,
    Ktap,
    Json,
}
