using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>Theory data over the policy catalogue: every era, or every era with every file backing a test applies to.</summary>
internal static class EraData
{
    public static TheoryData<string> Eras() => [.. PolicyCatalog.All.Select(p => p.Name)];

    public static TheoryData<string, string> WithFileBackings(Func<BackingInfo, bool>? applies = null)
    {
        var data = new TheoryData<string, string>();
        foreach (var policy in PolicyCatalog.All)
            foreach (var backing in BackingTable.All.Where(b => b.HasFile && (applies?.Invoke(b) ?? true)))
                data.Add(policy.Name, backing.Name);
        return data;
    }
}
