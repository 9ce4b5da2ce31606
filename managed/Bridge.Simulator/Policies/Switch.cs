namespace Bridge.Simulator.Policies;

/// <summary>The kernel's on/off behaviours that differ between eras (or that a fix would change).</summary>
public enum Switch
{
    /// <summary>Writeback cleans a page and write-protects its PTEs even while a device holds a writable pin on it
    /// (off: a hypothetical fix that keeps pinned pages dirty, e.g. by bouncing them).</summary>
    WritebackCleansPinnedPages,
    /// <summary>An O_DIRECT / io_uring read into user pages marks them dirty when the I/O completes.</summary>
    DirectIoDirtiesOnCompletion,
    /// <summary>Page-cache invalidation (drop_caches, POSIX_FADV_DONTNEED) releases a clean page's buffers before it
    /// finds that an extra reference (a pin) keeps the page in the cache — leaving it cached without buffers.</summary>
    EvictReleasesBuffersOfReferencedPages,
    /// <summary>open(O_DIRECT) works on tmpfs / memfd files (shmem has ->direct_IO / FMODE_CAN_ODIRECT).</summary>
    DirectIoOnShmem,
    /// <summary>A read-only long-term pin of a page-cache page in a MAP_PRIVATE (COW) mapping first unshares it into
    /// an anonymous copy, so the pin keeps seeing what the process sees after it writes.</summary>
    ReadOnlyLongtermPinUnsharesCowPages,
    /// <summary>fork() gives the child its own copy of a page a device holds pinned, leaving the parent's mapping
    /// on the pinned page; without it the page is COW-shared and the parent's next store moves the parent away
    /// from the page the device writes.</summary>
    ForkCopiesPinnedPages,
    /// <summary>A device operation that the pin's access does not allow (an RDMA READ or WRITE through an MR without
    /// the remote right) fails as a flushed request, EIO, instead of as a remote access error, EACCES: rdma_rxe's QP
    /// is connected to itself, so its responder moves the very QP to the error state when it NAKs, and where the
    /// NAK's completion is scheduled rather than run at once the completer finds the QP in error and flushes.</summary>
    RefusedDeviceAccessFlushes,
    /// <summary>On a filesystem that locks an O_DIRECT write's range (<see cref="Core.Scenarios.BackingInfo.LocksDirectWriteRange"/>:
    /// btrfs) no store and no O_DIRECT read into the mapping dirties a page of the range between the write and the
    /// invalidation after it, so that invalidation never fails there; off, the filesystem's O_DIRECT write collides
    /// with them as any other's does (<see cref="Policy.StaleCacheOnCollision"/>).</summary>
    LockedDirectWriteKeepsStoresOut,
}

public static class Switches
{
    public static string Name(Switch s) => s switch
    {
        Switch.WritebackCleansPinnedPages => "writeback cleans pinned pages",
        Switch.DirectIoDirtiesOnCompletion => "direct I/O dirties pages on completion",
        Switch.EvictReleasesBuffersOfReferencedPages => "evict releases buffers of referenced pages",
        Switch.DirectIoOnShmem => "O_DIRECT on shmem",
        Switch.ForkCopiesPinnedPages => "fork copies pinned pages for the child",
        Switch.RefusedDeviceAccessFlushes => "a refused device access completes flushed",
        Switch.LockedDirectWriteKeepsStoresOut => "a range-locked O_DIRECT write keeps stores out",
        _ => "R/O long-term pin unshares COW pages",
    };
}
