using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;
using Bridge.Linux.PinPaths;

namespace Bridge.Linux.Tests;

/// <summary>The real executor implements the whole contract: a handler for every verb, a class for every pin path.</summary>
public class ContractTests
{
    [Fact]
    public void EveryVerbTheSequencerDoesNotDriveHasAKernelHandler() =>
        Assert.Empty(VerbTable<StepHandler>.Missing(StepHandlers.All.Verbs).Select(v => v.Keyword));

    [Fact]
    public void EveryPinPathRowHasOneImplementation() =>
        Assert.Equal(PinPathTable.All, PinPathRegistry.All.Select(p => p.Row));

    [Fact]
    public void EveryBackingRowHasOneProviderAndEveryBackingWithStorageHowToMakeIt()
    {
        Assert.Equal(BackingTable.All, BackingProviders.All.Select(p => p.Backing));
        Assert.All(BackingProviders.All, p => Assert.Equal(p.Backing.HasStorage, p.Mkfs is not null));
    }
}
