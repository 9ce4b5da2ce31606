using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Probes;

/// <summary>What a target's kernel did with one probe: the pin's result and the data verdict.</summary>
public sealed record ProbeOutcome(PolicyProbe Probe, string PinResult, VerdictClass Verdict, string? SkipReason)
{
    /// <summary>The pin step's result in a probe's observation: ok, an errno name, or why it did not run.</summary>
    public static ProbeOutcome From(PolicyProbe probe, Scenario scenario, Observation observation, ScenarioVerdict verdict)
    {
        var pin = scenario.AllSteps().First(s => s.Effect == Effect.Pin);
        var result = observation.ResultOf(pin.Index);
        var text = observation.Skip is not null ? "skip" : result?.ToString() ?? "no result";
        return new ProbeOutcome(probe, text, verdict.Class, observation.Skip);
    }

    /// <summary>The table's column this probe belongs to: the pin path and the access asked.</summary>
    public string Column => $"{Probe.Path.Name}({Probe.AccessName})";

    /// <summary>The cell: pin result / data verdict, or skip.</summary>
    public string Cell => SkipReason is not null ? "skip" : $"{PinResult}/{Verdict.Name()}";
}
