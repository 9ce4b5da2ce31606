using Bridge.Core.Blocks;

namespace Bridge.Core.Oracle;

/// <summary>The oracle's knowledge of one block of the scenario's file.</summary>
internal sealed class BlockState(Allowed initial)
{
    /// <summary>The page-cache page (for anonymous memory: the page itself). Buffered reads and a shared mapping see it.</summary>
    public Allowed Memory { get; set; } = initial;

    /// <summary>What storage may hold. Reset to <see cref="Memory"/> by a persistence point.</summary>
    public Allowed Disk { get; set; } = initial;

    /// <summary>What survives a power cut: reset to <see cref="Memory"/> only by a persistence point that commits the
    /// filesystem's metadata and flushes the device (<see cref="Scenarios.VerbInfo.SurvivesPowerCut"/>); every write and
    /// every truncate or punch since may or may not have reached the disk.</summary>
    public Allowed Durable { get; set; } = initial;

    /// <summary>The persistence step that last made Disk equal Memory, for culprit notes.</summary>
    public int? PersistedBy { get; set; }

    /// <summary>The MAP_PRIVATE copy once the block was copied-on-write; null while the mapping shares the file page.</summary>
    public Allowed? Private { get; set; }

    /// <summary>A failed step may have copied the page on write in a private mapping (a pin refused after GUP
    /// faulted it for writing — or before, where the VMA is read-only): <see cref="Private"/> then holds what the copy
    /// may hold, widened by every later write and removal of the file's page, since the mapping may still show it.</summary>
    public bool MaybePrivate { get; set; }

    /// <summary>Page identity: bumped when truncate or punch takes the page out of the file.</summary>
    public int Epoch { get; set; }

    /// <summary>Every content a completed step wrote into the file's block, and by which step: what separates an
    /// old generation (lost-write, stale) from one that never belonged here (phantom).</summary>
    public Allowed Written { get; set; } = initial;
}

/// <summary>A long-term pin as the oracle sees it: which pages it holds (by epoch) and what the device wrote into
/// pages that have since left the file.</summary>
internal sealed class PinState(Dictionary<int, int> epochs, bool writable)
{
    public Dictionary<int, int> Epochs { get; } = epochs;
    public bool Writable { get; } = writable;
    public Dictionary<int, Allowed> Orphans { get; } = [];

    /// <summary>The step that took each orphaned page out of the file (truncate, punch, a file writer that replaces pages).</summary>
    public Dictionary<int, int> LeftFileAt { get; } = [];
}

/// <summary>A device write through a pin that completed into a page the file no longer owns (issue 16): the file is
/// as the contract allows, but the data can never reach it.</summary>
/// <param name="Step">The device write (dma).</param>
/// <param name="LeftFileAt">The step that took the page out of the file.</param>
public sealed record OrphanedWrite(int Step, int Block, int LeftFileAt);
