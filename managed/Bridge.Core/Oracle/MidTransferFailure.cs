using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Oracle;

/// <summary>
/// A call that moves data and failed in the middle of its transfer (<see cref="Errnos.MidTransfer"/>: an I/O error on
/// one of its blocks, a short transfer) may have written its blocks: each may hold its data — or, on a backing that
/// verifies O_DIRECT reads' checksums (<see cref="BackingInfo.ChecksumsDirectReads"/>), zeros: btrfs zeroes the block
/// whose checksum failed in the read's destination (fs/btrfs/inode.c btrfs_data_csum_ok, label zeroit). Measured on
/// Debian 6.12.118 btrfs: an O_DIRECT read of blocks 2-3 into the mapping failed with EIO for a checksum mismatch in
/// block 2 ("csum failed … direct IO failed"); block 2 read as zeros on every path, block 3 held the read's data.
/// </summary>
internal static class MidTransferFailure
{
    /// <summary>The step's failure may have come after part of its data moved.</summary>
    public static bool After(StepResult result) => Errnos.MidTransfer.Contains(result.Errno);

    /// <summary>What one block of such a failed call may hold besides what it held: <paramref name="data"/> (the
    /// call's generation, or its iterations') and the zeros of a failed checksum.</summary>
    public static Allowed Left(Allowed data, Step step, StepResult result, BackingInfo backing) =>
        step.Effect == Effect.WriteMapping && backing.ChecksumsDirectReads && result.Errno == "EIO"
            ? data.Union(Allowed.Exactly(Content.Hole, step.Index))
            : data;
}
