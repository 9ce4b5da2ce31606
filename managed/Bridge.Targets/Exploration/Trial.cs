using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Analysis;
using Bridge.Simulator.Policies;

namespace Bridge.Targets.Exploration;

/// <summary>One scenario on the target and, when a model runs beside it, on the model: both judged by the oracle,
/// compared with <see cref="Comparison"/>. Its failures are what exploration saves and shrinking preserves.</summary>
public sealed record Trial(Scenario Scenario, Observation Real, ScenarioVerdict RealVerdict, Observation? Model, ScenarioVerdict? ModelVerdict,
    IReadOnlyList<Disagreement> Disagreements)
{
    /// <summary>The target did not run it (skipped with a reason) or was interrupted during it: nothing to judge.</summary>
    public bool Judged => Real.Skip is null && Real.Interrupted is null;

    /// <summary>What is wrong here, each named by its signature: an oracle finding on the kernel, a disagreement with
    /// the model, both, or neither.</summary>
    public IReadOnlyList<FindingSignature> Failures
    {
        get
        {
            if (!Judged)
                return [];
            var found = new List<FindingSignature>();
            if (RealVerdict.HasFindings)
                found.Add(FindingSignature.OfFinding(this));
            if (Disagreements.Count > 0)
                found.Add(FindingSignature.OfDisagreement(this));
            return found;
        }
    }

    /// <summary>Runs the oracle (and the comparison, when there is a model observation) over one scenario.</summary>
    /// <param name="policy">The era the model ran, when it is the simulator (<see cref="Comparison.Compare"/>).</param>
    public static Trial Judge(Scenario scenario, Observation real, Observation? model, Policy? policy = null)
    {
        var realVerdict = Oracle.Judge(scenario, real);
        var modelVerdict = model is null ? null : Oracle.Judge(scenario, model);
        var disagreements = model is null || real.Skip is not null || real.Interrupted is not null ? [] : Comparison.Compare(real, model, scenario, policy);
        return new Trial(scenario, real, realVerdict, model, modelVerdict, disagreements);
    }
}
