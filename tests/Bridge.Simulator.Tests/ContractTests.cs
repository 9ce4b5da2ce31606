using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Execution;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The simulator implements the whole contract: a modelled operation for every verb, and every era's rules
/// for every pin path.</summary>
public class ContractTests
{
    [Fact]
    public void Every_verb_the_sequencer_does_not_drive_has_a_modelled_operation() =>
        Assert.Empty(VerbTable<VerbOp>.Missing(VerbOps.Table.Verbs).Select(v => v.Keyword));

    [Fact]
    public void Every_pin_path_has_one_rules_class_that_answers_for_every_era()
    {
        Assert.Equal(PinPathTable.All, PinPathRules.All.Select(r => r.Path));
        foreach (var rules in PinPathRules.All)
            foreach (var era in Enum.GetValues<Era>())
                Assert.All(rules.RowsFor(era), row => Assert.Contains(rules.Path.Name, row.Key, StringComparison.Ordinal));
    }
}
