using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Tests.Shared;

/// <summary>
/// Which long-term pins a kernel allows is stated once, in the simulator's pin rows of each era (the role of
/// gup_longterm's should_work predicate); every test that expects a pin's result, on the host, in a VM or in the
/// model, asks the rows here instead of restating the rule.
/// </summary>
internal static class PinRules
{
    /// <summary>What the pin step returns on a kernel of <paramref name="era"/>: "ok", or the errno its row names.</summary>
    public static string ExpectedResult(Policy era, Scenario scenario, Step pin) =>
        era.Pin(pin.PinPath, MemoryClasses.Of(scenario), PinPathInfo.IsWritable(pin.Args.Access ?? PinAccess.None)).Errno ?? "ok";

    /// <summary>The scenario's (first) pin step's expected result.</summary>
    public static string ExpectedPinResult(Policy era, Scenario scenario) =>
        ExpectedResult(era, scenario, scenario.AllSteps().First(s => s.Effect == Effect.Pin));

    /// <summary>The era measured on a kernel release ("6.18.3-amd64" → the policy PolicyCatalog knows as
    /// linux-6.18), or a skip that names the release: a kernel no era was measured on has no expectation here.</summary>
    public static Policy EraOf(string release)
    {
        var parts = release.Split('.', '-', '+');
        var line = parts.Length >= 2 ? $"linux-{parts[0]}.{parts[1]}" : release;
        var era = PolicyCatalog.Find(line);
        Assert.SkipWhen(era is null, $"no modelled era was measured on kernel {release} ({line}); known: {string.Join(", ", PolicyCatalog.All.Select(p => p.Name))}");
        return era!;
    }
}
