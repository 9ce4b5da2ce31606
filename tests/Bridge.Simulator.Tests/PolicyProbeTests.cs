using Bridge.Core.Oracle;
using Bridge.Core.Probes;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>`pinbridge policy`'s data column can show a loss: in every era, the probe of a writable pin of a file
/// MAP_SHARED says what the seed's lost-write scenario (the same sequence: a device write after writeback) says on
/// the same backing — lost-write where the era loses it, refused where it refuses the pin.</summary>
public class PolicyProbeTests
{
    public static TheoryData<string, string> Cells() =>
        new([.. from policy in PolicyCatalog.All
                from backing in BackingTable.All.Where(b => b.HasStorage)
                select (policy.Name, backing.Name)]);

    [Theory]
    [MemberData(nameof(Cells))]
    public void AWritablePinProbeOfASharedFileAgreesWithTheSeedsLostWrite(string policyName, string backingName)
    {
        var policy = PolicyCatalog.Find(policyName)!;
        var seed = Repo.Load("seed/lost-write-after-writeback.scn");
        var onBacking = Repo.Parse(seed.Text.Replace($"backing {seed.Backing.Name}", $"backing {backingName}", StringComparison.Ordinal), "seed-on-" + backingName);
        var probe = PolicyProbes.All([seed.AllSteps().First(s => s.Effect == Effect.Pin).PinPath.Name])
            .Single(p => p.Backing.Name == backingName && p.Map == MapKind.Shared && p.Writable);

        var seedVerdict = Repo.Judge(onBacking, policy).Verdict;
        var probeVerdict = Repo.Judge(PolicyProbes.ScenarioFor(probe), policy).Verdict;

        Assert.Equal(seedVerdict.Class, probeVerdict.Class);
        if (policy != PolicyCatalog.Linux65Plus)
            Assert.Equal(VerdictClass.LostWrite, probeVerdict.Class); // the eras that lose it do show it
    }
}
