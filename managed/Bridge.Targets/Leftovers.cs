using Bridge.Linux.Backings;
using Bridge.Linux.Host;
using Bridge.Linux.Rdma;
using Bridge.Targets.Container;
using Bridge.Targets.Vm;

namespace Bridge.Targets;

/// <summary>
/// Everything a run can leave on the host if it is killed, one row per kind, each defined next to the code that
/// takes it; and the sweep that gives back what killed runs left (their ledgers, <see cref="RunLedger"/>). Every
/// target sweeps before it runs; <c>pinbridge cleanup</c> sweeps on demand (<c>--dry-run</c> lists).
/// </summary>
public static class Leftovers
{
    public static IReadOnlyList<LeftoverKind> All { get; } =
    [
        ScratchSpace.Leftover,        // scratch directories, with their loop-mounted filesystems; /dev/shm directories
        HugePages.Leftover,           // vm.nr_hugepages raised for hugetlb scenarios
        ChildProcess.Leftover,        // qemu
        RunDirectory.Leftover,        // a VM run's initrd, disks and sockets
        ContainerRunner.Leftover,     // containers
        ContainerScratch.Leftover,    // a container's bound directory, and what its agent's own ledger still holds
        SoftRoce.Leftover,            // the rxe device and its dummy netdev set up for rdma-mr scenarios
    ];

    /// <summary>Gives back (or with <paramref name="dryRun"/> lists) what runs that no longer run left behind: each
    /// resource as "KIND VALUE (run PID)", with why it could not be given back, if it could not.</summary>
    public static async Task<IReadOnlyList<(string Resource, string? Failure)>> SweepAsync(bool dryRun = false) =>
        [.. (await LedgerSweep.RunAsync(All, dryRun)).Select(l => ((l with { Failure = null }).ToString(), l.Failure))];

    /// <summary>Gives back what this run's own ledger still holds (an interrupted run exiting at once): each resource
    /// as "KIND VALUE", with why it could not be given back, if it could not.</summary>
    public static async Task<IReadOnlyList<(string Resource, string? Failure)>> GiveBackOwnAsync() =>
        [.. (await LedgerSweep.GiveBackOwnAsync(All)).Select(l => ((l with { Failure = null }).ToString(), l.Failure))];

    /// <summary>What this run's ledger still holds, as "KIND VALUE".</summary>
    public static IReadOnlyList<string> Held => [.. RunLedger.Current.Held.Select(e => $"{e.Kind} {e.Value}")];
}
