using Bridge.Core.Scenarios;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;
using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Tests.Vm;

/// <summary>What a VM loads and attaches for a run follows from the backing and pin-path rows the scenarios use.</summary>
public sealed class VmNeedsTests
{
    private static Scenario Parse(string backing, string steps = "") =>
        ScenarioFile.Parse($"backing {backing}\nfile size=2M\n{steps}check\n", "t.scn")[0];

    [Fact]
    public void EveryModuleGroupARowNamesIsDefinedByTheRecipe()
    {
        var named = BackingTable.All.Select(b => b.VmModuleGroup).Concat(PinPathTable.All.Select(p => p.VmModuleGroup)).OfType<string>();
        Assert.All(named, group => Assert.NotEmpty(VmRecipe.Default.ModulesOf([group])));
    }

    [Fact]
    public void EachBackingWithStorageGetsADiskAndItsGroupBesidesTheAuxiliaryFilesOnes()
    {
        var aux = BackingTable.AuxiliaryFiles;
        Assert.True(aux.HasStorage);
        foreach (var backing in BackingTable.All)
        {
            var (groups, disks) = VmTarget.Needs([Parse(backing.Name)]);
            Assert.Contains(aux.VmModuleGroup, groups);
            if (backing.VmModuleGroup is { } group)
                Assert.Contains(group, groups);
            Assert.Equal(groups.Distinct(), groups);
            Assert.Equal(backing.HasStorage && backing != aux ? 2 : 1, disks);
        }
    }

    [Fact]
    public void APinPathAddsItsGroupOncePerRun()
    {
        var scenarios = PinPathTable.All.Select(p => Parse(BackingTable.Memfd.Name, $"pin {p.Name}\nunpin\n")).ToList();
        var (groups, _) = VmTarget.Needs([.. scenarios, .. scenarios]);
        var expected = PinPathTable.All.Select(p => p.VmModuleGroup).Prepend(BackingTable.AuxiliaryFiles.VmModuleGroup).OfType<string>().Distinct();
        Assert.Equal(expected, groups);
    }
}
