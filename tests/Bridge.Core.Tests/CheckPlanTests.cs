using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

public class CheckPlanTests
{
    [Fact]
    public void A_file_is_read_from_disk_buffered_and_through_the_mapping_then_outputs_in_ordinal_order()
    {
        var scenario = ScenarioFile.Parse("backing xfs\nfile size=16K\nodirect-write to=b\nodirect-write to=B\nodirect-write\ncheck\n", "t.scn")[0];

        var plan = CheckPlan.For(scenario);

        Assert.Equal(["B", "b", "out"], plan.OutputFiles);
        Assert.Equal(
            [
                new("data", ReadPath.Disk), new("data", ReadPath.Buffered), new("data", ReadPath.Mapping),
                new("B", ReadPath.Disk), new("B", ReadPath.Buffered), new("b", ReadPath.Disk), new("b", ReadPath.Buffered),
                new CheckView("out", ReadPath.Disk), new("out", ReadPath.Buffered),
            ],
            plan.Views);
    }

    [Fact]
    public void A_backing_without_a_file_has_only_its_mapping()
    {
        foreach (var backing in BackingTable.All)
        {
            var scenario = ScenarioFile.Parse($"backing {backing.Name}\nfile size=2M\ncheck\n", "t.scn")[0];
            ReadPath[] expected = backing.HasFile ? [ReadPath.Disk, ReadPath.Buffered, ReadPath.Mapping] : [ReadPath.Mapping];
            Assert.Equal(expected.Select(p => new CheckView(CheckPlan.DataFile, p)), CheckPlan.For(scenario).Views);
        }
    }
}
