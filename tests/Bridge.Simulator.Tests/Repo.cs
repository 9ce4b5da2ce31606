using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>Scenario files of the repository, and the oracle's verdict on a simulated run of one.</summary>
internal static class Repo
{
    public static readonly string Root = FindRoot();

    public static Scenario Load(string relative)
    {
        var path = Path.Combine(Root, "scenarios", relative);
        return ScenarioFile.Parse(File.ReadAllText(path), path).Single();
    }

    public static Scenario Parse(string text, string name = "inline") => ScenarioFile.ParseOne(text, $"{name}.scn", name);

    public static IEnumerable<string> ScenarioFiles(string folder) =>
        Directory.GetFiles(Path.Combine(Root, "scenarios", folder), "*.scn").Order(StringComparer.Ordinal)
            .Select(f => Path.Combine(folder, Path.GetFileName(f)));

    public static (Observation Observation, ScenarioVerdict Verdict) Judge(Scenario scenario, Policy policy, ulong runId = 42)
    {
        var observation = Simulator.Run(scenario, policy, runId);
        return (observation, Oracle.Judge(scenario, observation));
    }

    /// <summary>A printable fingerprint of an observation: equal fingerprints, equal observations.</summary>
    public static string Fingerprint(Observation o) => string.Join('\n',
        o.Steps.Select(s => $"{s.Step} {s} {s.Errno} {s.Start}-{s.End} {s.Race}")
            .Concat(o.Checks.SelectMany(c => c.Views.Select(v => $"check {c.Step} {v.File}/{v.Path} {v.Unavailable} {string.Join(' ', v.Blocks)}")))
            .Concat(o.KernelLog));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Bridge.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Bridge.sln not found above " + AppContext.BaseDirectory);
    }
}
