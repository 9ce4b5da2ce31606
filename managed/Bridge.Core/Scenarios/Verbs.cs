using Bridge.Core.Blocks;

namespace Bridge.Core.Scenarios;

/// <summary>What a step does to the data, as the oracle and the simulator see it. Verbs with the same effect
/// share one oracle rule: an O_DIRECT read into the mapping and a CPU store are both "a completed write of
/// generation N into these blocks of the mapping".</summary>
public enum Effect
{
    /// <summary>Writes a generation into the mapped memory (CPU store, O_DIRECT/io_uring read from a source file).</summary>
    WriteMapping,
    /// <summary>The "device" writes a generation into the pages a long-term pin holds.</summary>
    WriteThroughPin,
    /// <summary>Copies the mapped memory out to another file (O_DIRECT/io_uring write from the mapping).</summary>
    CopyFromMapping,
    /// <summary>The "device" reads the pinned pages out to another file.</summary>
    CopyThroughPin,
    /// <summary>A persistence point: when it returns 0, the covered blocks' last completed writes are on disk.</summary>
    Persist,
    /// <summary>Changes no data the contract speaks of (cache eviction hints, protection changes).</summary>
    Hint,
    /// <summary>Sets the file size; blocks past it are gone, blocks added are holes.</summary>
    Resize,
    /// <summary>Deallocates blocks (punch hole); they read as zeros and their pages leave the page cache.</summary>
    Drop,
    Pin,
    Unpin,
    /// <summary>Unmaps the mapping; pins keep their pages.</summary>
    Unmap,
    /// <summary>A forked child writes a generation through its copy of the mapping: shared mappings see it,
    /// private ones (COW) must not.</summary>
    ForkWrite,
    Check,
    Race,
}

/// <summary>The kinds of argument a verb takes.</summary>
public enum ArgKind { Gen, Blocks, Size, Target, PinPath, Access, Mode, Duration, Count }

/// <summary>One argument of a verb. Positional arguments come first, without <c>key=</c>.</summary>
public sealed record ArgSpec(string Key, ArgKind Kind, bool Required = false, bool Positional = false, IReadOnlyList<string>? Choices = null);

/// <summary>A verb of the scenario language: a row of the table below.</summary>
/// <param name="Writer">For writing verbs, the path recorded in the blocks it writes (pins: the pin path's).</param>
/// <param name="AllowedInRace">Whether the verb may repeat inside a race block.</param>
/// <param name="NeedsFile">The verb needs a file (not anonymous memory).</param>
public sealed record VerbInfo(
    string Keyword, Effect Effect, Writer Writer, IReadOnlyList<ArgSpec> Args, bool AllowedInRace, bool NeedsFile, string Help);

public static class Verbs
{
    private static readonly ArgSpec Gen = new("gen", ArgKind.Gen, Required: true);
    private static readonly ArgSpec Blocks = new("blocks", ArgKind.Blocks);
    private static readonly ArgSpec To = new("to", ArgKind.Target);

    public static readonly IReadOnlyList<VerbInfo> All =
    [
        new("store", Effect.WriteMapping, Writer.Cpu, [Gen, Blocks], true, false,
            "CPU stores of generation N through the mapping"),
        new("odirect-read", Effect.WriteMapping, Writer.ODirect, [Gen, Blocks], true, false,
            "pread(O_DIRECT) of generation N from a source file INTO the mapping (short-term FOLL_PIN)"),
        new("uring-read", Effect.WriteMapping, Writer.Uring, [Gen, Blocks], true, false,
            "io_uring READ (no registered buffer) of generation N from a source file into the mapping"),
        new("odirect-write", Effect.CopyFromMapping, Writer.ODirect, [Blocks, To], true, false,
            "pwrite(O_DIRECT) FROM the mapping to another file (default 'out')"),
        new("uring-write", Effect.CopyFromMapping, Writer.Uring, [Blocks, To], true, false,
            "io_uring WRITE (no registered buffer) from the mapping to another file"),
        new("msync", Effect.Persist, 0, [new("mode", ArgKind.Mode, Positional: true, Choices: ["sync", "async", "invalidate"]), Blocks], true, true,
            "msync(MS_SYNC by default) over the blocks' part of the mapping"),
        new("fsync", Effect.Persist, 0, [], true, true, "fsync(2) the file"),
        new("fdatasync", Effect.Persist, 0, [], true, true, "fdatasync(2) the file"),
        new("sync-file-range", Effect.Persist, 0, [Blocks], true, true,
            "sync_file_range(WAIT_BEFORE | WRITE | WAIT_AFTER) over the blocks"),
        new("fadvise-dontneed", Effect.Hint, 0, [Blocks], true, true, "posix_fadvise(POSIX_FADV_DONTNEED) over the blocks"),
        new("drop-caches", Effect.Hint, 0, [], true, false, "echo 3 > /proc/sys/vm/drop_caches (root)"),
        new("mprotect", Effect.Hint, 0, [new("mode", ArgKind.Mode, Required: true, Positional: true, Choices: ["ro", "rw"])], true, false,
            "mprotect the mapping read-only or read-write"),
        new("truncate", Effect.Resize, 0, [new("size", ArgKind.Size, Required: true)], false, true,
            "ftruncate(2) the file to a block-aligned size"),
        new("punch", Effect.Drop, 0, [new("blocks", ArgKind.Blocks, Required: true)], false, true,
            "fallocate(PUNCH_HOLE | KEEP_SIZE) over the blocks"),
        new("pin", Effect.Pin, 0, [new("path", ArgKind.PinPath, Required: true, Positional: true), new("access", ArgKind.Access), Blocks], false, false,
            "take a long-term pin of the blocks' pages: uring-register | rdma-mr [access=local-write,remote-write,remote-read]"),
        new("unpin", Effect.Unpin, 0, [], false, false, "release the long-term pin (unregister buffers / ibv_dereg_mr)"),
        new("dma", Effect.WriteThroughPin, 0, [Gen, Blocks], true, false,
            "the device writes generation N into the pinned pages (READ_FIXED from a source file / RDMA WRITE)"),
        new("dma-read", Effect.CopyThroughPin, 0, [Blocks, To], true, false,
            "the device reads the pinned pages out to another file (WRITE_FIXED / RDMA READ)"),
        new("fork", Effect.ForkWrite, Writer.Cpu, [Gen, Blocks], false, false,
            "fork(); the child stores generation N into the blocks through its copy of the mapping, then stays alive " +
            "until the scenario ends"),
        new("munmap", Effect.Unmap, 0, [], false, false, "munmap the mapping (pins keep their pages)"),
        new("check", Effect.Check, 0, [], false, false,
            "read every block via O_DIRECT, buffered I/O and the mapping; the oracle judges what each path saw"),
        new("race", Effect.Race, 0, [new("for", ArgKind.Duration), new("count", ArgKind.Count)], false, false,
            "run the steps up to 'end' concurrently, each on its own thread, repeating until the time or count bound"),
    ];

    public static VerbInfo? Find(string keyword) => All.FirstOrDefault(v => v.Keyword == keyword);
}
