using Bridge.Core.Observations;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Bridge.Core.Execution;
using Bridge.Linux.Execution;

namespace Bridge.Agent;

/// <summary>
/// Which scenarios' file images a target keeps, and where: each in <c>Directory/SCENARIO/</c> (the evidence folder
/// <c>--output</c> makes for it). By default only scenarios with findings — judged where they ran by the same oracle,
/// so a clean run costs no copy — and with <see cref="All"/> (<c>--keep</c>) every scenario's. The data file's disk
/// as each check with a finding read it is kept too: later steps (an unpin that dirties the pages, a sync) may have
/// changed the file since.
/// A VM target shares the directory with its guest over a writable 9p export; a container target bind-mounts it.
/// </summary>
public sealed record ImageKeeping(string Directory, bool All)
{
    /// <summary>The images to keep of a scenario that ran: its final files, and its data file's disk at each check
    /// with a finding on the data file.</summary>
    public KeptImageRequest? FolderFor(Scenario scenario, Observation observation)
    {
        var verdict = Core.Oracle.Oracle.Judge(scenario, observation);
        if (!All && !verdict.HasFindings)
            return null;
        var checks = verdict.Findings.Where(f => f.File == CheckPlan.DataFile && f.Check >= 0 && scenario.StepAt(f.Check).Effect == Effect.Check)
            .Select(f => f.Check).ToHashSet();
        return new KeptImageRequest(Path.Combine(Directory, Evidence.FolderName(scenario.Name)), checks);
    }
}
