using Bridge.Core.Execution;
using Bridge.Simulator.Execution;

namespace Bridge.Simulator.Tests;

/// <summary>The simulator implements the whole contract: a modelled operation for every verb.</summary>
public class ContractTests
{
    [Fact]
    public void Every_verb_the_sequencer_does_not_drive_has_a_modelled_operation() =>
        Assert.Empty(VerbTable<VerbOp>.Missing(VerbOps.Table.Verbs).Select(v => v.Keyword));
}
