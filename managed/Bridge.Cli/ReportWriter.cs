using System.CommandLine;
using Bridge.Core.Reports;

namespace Bridge.Cli;

/// <summary>The output format options shared by every command that prints a run report.</summary>
public sealed class ReportWriter
{
    public Option<bool> Tap { get; } = new("--tap") { Description = "print TAP version 13 (kselftest style: ok N name, # SKIP reason)" };
    public Option<bool> Json { get; } = new("--json") { Description = "print the full observations and verdicts as JSON" };

    public void AddTo(Command command)
    {
        command.Options.Add(Tap);
        command.Options.Add(Json);
    }

    public void Write(ParseResult parse, RunReport report, TextWriter output)
    {
        if (parse.GetValue(Json))
            output.WriteLine(JsonReport.Render(report));
        else if (parse.GetValue(Tap))
            output.Write(TapReport.Render(report));
        else
            output.Write(TableReport.Render(report));
    }
}
