using System.Xml.Linq;
using Bridge.Agent;
using Bridge.Core.Reports;
using Bridge.Targets;

namespace Bridge.Cli.Output;

/// <summary>
/// <c>--output DIR</c>: after every scenario, results.json, results.ktap, junit.xml and report.html are rewritten
/// whole and renamed into place (<see cref="AtomicFile"/>), so a run killed at any moment leaves four valid files that
/// describe every scenario that finished; and each scenario with findings (every scenario with <c>--keep</c>) gets
/// its evidence folder, <c>evidence/TARGET/SCENARIO/</c>, whose file images the target itself wrote there.
/// Each scenario's JSON, JUnit case and HTML cell are rendered once and kept, so a rewrite costs the file's size in
/// I/O, not a new rendering of every scenario.
/// </summary>
public sealed class OutputDirectory
{
    public const string Json = "results.json";
    public const string Ktap = "results.ktap";
    public const string Junit = "junit.xml";
    public const string Html = "report.html";

    private readonly string _path;
    private readonly bool _keepAll;
    private readonly Dictionary<ScenarioRun, string> _json = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ScenarioRun, XElement> _junit = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ScenarioRun, string> _html = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ScenarioRun, string> _evidence = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the directory (and its evidence folder) and removes the temporary files of an earlier run that
    /// was killed outright; a directory that cannot be made is a usage error.</summary>
    public OutputDirectory(string path, bool keepAll)
    {
        _path = Path.GetFullPath(path);
        _keepAll = keepAll;
        try
        {
            Directory.CreateDirectory(Path.Combine(_path, Evidence.Directory));
            AtomicFile.RemoveStaleTemporaries(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--output {path}: cannot create it ({e.Message}); expected a directory that can be written");
        }
    }

    /// <summary>Where <paramref name="target"/> keeps images: its evidence folder, made now so that a container can
    /// bind-mount it and a VM export it.</summary>
    public ImageKeeping KeepingFor(string target)
    {
        var directory = Path.Combine(_path, Evidence.Directory, Evidence.FolderName(target));
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFailedException($"cannot create {directory}: {e.Message}", e);
        }
        return new ImageKeeping(directory, _keepAll);
    }

    /// <summary>A scenario finished: its evidence folder (when it has findings, or always with --keep).</summary>
    public void Add(RunReport target, ScenarioRun run)
    {
        if (!_keepAll && !run.Verdict.HasFindings)
            return;
        var relative = Path.Combine(Evidence.Directory, Evidence.FolderName(target.Target), Evidence.FolderName(run.Scenario.Name));
        var folder = Path.Combine(_path, relative);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFailedException($"cannot create {folder}: {e.Message}", e);
        }
        var images = Directory.GetFiles(folder, "*.img").Select(Path.GetFileName).OfType<string>().ToList();
        foreach (var (name, content) in Evidence.Files(run, images))
            AtomicFile.Write(Path.Combine(folder, name), content);
        _evidence[run] = relative;
    }

    /// <summary>Rewrites the four result files for the results so far, as one set (<see cref="AtomicFile.WriteAll"/>).</summary>
    public void Write(Results results, KtapDocument ktap)
    {
        AtomicFile.WriteAll(
        [
            (Path.Combine(_path, Json), JsonReport.Render(results, r => Cached(_json, r, x => JsonReport.Scenario(x, _evidence.GetValueOrDefault(x))))),
            (Path.Combine(_path, Ktap), ktap.Text),
            (Path.Combine(_path, Junit), JunitReport.Render(results, (t, r) => Cached(_junit, r, x => JunitReport.TestCase(t, x)))),
            (Path.Combine(_path, Html), HtmlReport.Render(results, r => Cached(_html, r, HtmlReport.Cell))),
        ]);
    }

    private static T Cached<T>(Dictionary<ScenarioRun, T> cache, ScenarioRun run, Func<ScenarioRun, T> render)
    {
        if (!cache.TryGetValue(run, out var value))
            cache[run] = value = render(run);
        return value;
    }
}
