using Bridge.Core.Observations;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;

namespace Bridge.Targets;

/// <summary>
/// Which scenarios' file images a target keeps, and where: each in <c>Directory/SCENARIO/</c> (the evidence folder
/// <c>--output</c> makes for it). By default only scenarios with findings — judged where they ran by the same oracle,
/// so a clean run costs no copy — and with <see cref="All"/> (<c>--keep</c>) every scenario's.
/// A VM target shares the directory with its guest over a writable 9p export; a container target bind-mounts it.
/// </summary>
public sealed record ImageKeeping(string Directory, bool All)
{
    public string? FolderFor(Scenario scenario, Observation observation) =>
        All || Core.Oracle.Oracle.Judge(scenario, observation).HasFindings
            ? Path.Combine(Directory, Evidence.FolderName(scenario.Name))
            : null;
}
