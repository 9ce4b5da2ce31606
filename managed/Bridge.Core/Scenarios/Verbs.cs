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
    /// <summary>Evicts pages from the page cache (writing dirty ones back first, or not at all): changes no data
    /// the contract speaks of, but a page that comes back is read from disk.</summary>
    Evict,
    /// <summary>Changes the mapping's protection: no data changes; a CPU store into a read-only mapping would fault.</summary>
    Protect,
    /// <summary>Sets the file size; blocks past it are gone, blocks added are holes.</summary>
    Resize,
    /// <summary>Deallocates blocks (punch hole); they read as zeros and their pages leave the page cache.</summary>
    Punch,
    /// <summary>Takes a long-term pin of the blocks' pages.</summary>
    Pin,
    /// <summary>Releases the long-term pin.</summary>
    Unpin,
    /// <summary>Unmaps the mapping; pins keep their pages.</summary>
    Unmap,
    /// <summary>A forked child writes a generation through its copy of the mapping: shared mappings see it,
    /// private ones (COW) must not.</summary>
    ForkWrite,
    /// <summary>Reads every view of <see cref="Execution.CheckPlan"/>; the oracle judges what each saw.</summary>
    Check,
    /// <summary>Runs its body steps concurrently, each repeating.</summary>
    Race,
    /// <summary>Cuts the power: the page cache, the mapping, pins and every write no persistence point made durable
    /// may be lost; the next steps run after a reboot on the same disks.</summary>
    Crash,
    /// <summary>Writes a generation (or zeros) into the data file through the file, not the mapping: into the cached
    /// pages, or replacing them (<see cref="FileWriter.Replaces"/>).</summary>
    WriteFile,
    /// <summary>Moves the file's blocks from a range on (<see cref="RangeShift"/>): a collapse removes the range and
    /// the blocks after it move down, an insert opens a hole there and they move up; the pages from the range's start
    /// to the end of the file leave the page cache.</summary>
    ShiftBlocks,
}

/// <summary>Where a file writer's data comes from.</summary>
public enum FileSource
{
    /// <summary>Zeros: nothing is read.</summary>
    Zeros,
    /// <summary>A private buffer of Bridge's (page-aligned), stamped with the generation.</summary>
    Buffer,
    /// <summary>A file of Bridge's beside the data file, on its filesystem (copy_file_range and clone need the same
    /// superblock: vfs_copy_file_range and do_clone_file_range return EXDEV across them), holding the generation.</summary>
    SiblingFile,
}

/// <summary>Whether a file writer writes into the data file's cached pages or takes them out of the page cache
/// first (a page a pin holds then lives on as an orphan the device keeps writing into).</summary>
public enum PageReplacement
{
    /// <summary>Writes into the cached page (generic_perform_write): a pinned page receives the data.</summary>
    Never,
    /// <summary>O_DIRECT: writes the cached range back, invalidates it (invalidate_inode_pages2_range, which drops a
    /// page whatever pins it) and writes the disk — where the backing has storage; shmem's O_DIRECT is a buffered
    /// write (shmem_file_write_iter).</summary>
    WhereStorage,
    /// <summary>copy_file_range: remap_file_range (a reflink, which truncates the destination's cached range) where
    /// the filesystem reflinks (<see cref="BackingInfo.Reflinks"/>), a splice into the cached pages elsewhere.</summary>
    WhereReflink,
    /// <summary>Clone and zero-range: the range's cached pages are truncated (truncate_pagecache_range) first.</summary>
    Always,
}

/// <summary>The file-writer facts of a verb that writes the data file through the file.</summary>
/// <param name="Call">The system call, for help text and the reproducer.</param>
public sealed record FileWriter(FileSource Source, PageReplacement Replaces, string Call)
{
    /// <summary>Whether a completed write by this verb took the blocks' pages out of the page cache on this backing.</summary>
    public bool ReplacesPagesOn(BackingInfo backing) => Replaces switch
    {
        PageReplacement.Always => true,
        PageReplacement.WhereStorage => backing.HasStorage,
        PageReplacement.WhereReflink => backing.Reflinks,
        _ => false,
    };

    /// <summary>The call replaces the page by invalidating it, before and after an O_DIRECT write (not by truncating the
    /// range): a page dirtied again before the first invalidation makes the call fall back to a buffered write; one
    /// dirtied again before the invalidation after the write stays, stale, and the next fsync returns EIO (where the era
    /// and the backing let a store in then: the simulator's Policy.StaleCacheOnCollision).</summary>
    public bool Invalidates(BackingInfo backing) => Replaces == PageReplacement.WhereStorage && ReplacesPagesOn(backing);

    /// <summary>What dio_warn_stale_pagecache logs.</summary>
    public const string StaleCacheLog = "Page cache invalidation failure on direct I/O";
}

/// <summary>The facts of a verb that moves the data file's blocks (fallocate COLLAPSE_RANGE, INSERT_RANGE): the
/// kernel writes the range's start to the end of the file back, truncates those pages from the page cache
/// (truncate_pagecache: a pinned page leaves the file, private copies are unmapped) and shifts the extents. Both need
/// the filesystem's support (<see cref="BackingInfo.ShiftsRanges"/>; elsewhere EOPNOTSUPP: shmem_fallocate,
/// hugetlbfs_fallocate and btrfs_fallocate take no such mode) and a range aligned to the filesystem block, which a
/// range of Bridge blocks (multiples of the 4 KiB page) on a 4 KiB-block filesystem always is.</summary>
/// <param name="Inserts">Insert (the blocks from the range's start move up by its length, the range becomes a hole,
/// the file grows) rather than collapse (the range is removed, the blocks after it move down, the file shrinks).</param>
/// <param name="Call">The system call, for help text and the reproducer.</param>
public sealed record RangeShift(bool Inserts, string Call)
{
    /// <summary>How far the blocks from the range on move: up by the range's length for an insert, down for a collapse.</summary>
    public int Distance(BlockSet range) => Inserts ? range.Count : -range.Count;

    /// <summary>Whether the kernel refuses the range on a file of <paramref name="fileBlocks"/> blocks with EINVAL: a
    /// collapse must end before the end of the file (else it is a truncate: ext4_collapse_range, xfs_falloc_collapse_range
    /// "offset + len >= i_size"), an insert must start inside it (xfs_falloc_insert_range, ext4_insert_range
    /// "offset >= i_size").</summary>
    public bool RefusedPastEof(BlockSet range, int fileBlocks) => Inserts ? range.First >= fileBlocks : range.Last + 1 >= fileBlocks;

    /// <summary>The errno of <see cref="RefusedPastEof"/>.</summary>
    public const string PastEofErrno = "EINVAL";

    /// <summary>The errno where the filesystem has no such fallocate mode.</summary>
    public const string UnsupportedErrno = "EOPNOTSUPP";
}

/// <summary>The kinds of argument a verb takes.</summary>
public enum ArgKind { Gen, Blocks, Size, Target, PinPath, Access, Mode, Duration, Count }

/// <summary>One argument of a verb. Positional arguments come first, without <c>key=</c>.</summary>
public sealed record ArgSpec(string Key, ArgKind Kind, bool Required = false, bool Positional = false, IReadOnlyList<string>? Choices = null);

/// <summary>A verb of the scenario language: a row of the table below. Executors key their handlers by the row
/// itself (<see cref="Execution.VerbTable{THandler}"/>), never by its keyword.</summary>
/// <param name="Writer">The I/O path the verb drives, recorded as the writer of the blocks it writes (0 for verbs
/// that move no data; a pin's device writes as its pin path's <see cref="PinPathInfo.DeviceWriter"/>).</param>
/// <param name="AllowedInRace">Whether the verb may repeat inside a race block.</param>
/// <param name="NeedsFile">The verb needs a file (not anonymous memory).</param>
/// <param name="NeedsMapping">The verb touches the scenario's mapping (so not after munmap).</param>
/// <param name="Privilege">What the verb needs that an ordinary user lacks, or null: refused for the lack of it (EPERM,
/// EACCES), the scenario is skipped with that reason (<see cref="Execution.Sequencer"/>).</param>
/// <param name="SurvivesPowerCut">A persistence point that also commits the filesystem's metadata and flushes the
/// device's write cache (fsync, fdatasync, msync MS_SYNC: vfs_fsync_range), so what it persisted survives a power
/// cut. sync_file_range writes neither (its man page: no guarantee after a crash unless overwriting blocks already
/// allocated, which a copy-on-write filesystem never does).</param>
/// <param name="File">For a verb that writes the data file through the file (write, O_DIRECT, copy, clone,
/// zero-range): where its data comes from and whether it replaces the cached pages.</param>
/// <param name="CutsPower">The step cuts the power: only an executor that can (<see cref="Execution.PowerCut"/>)
/// runs it; elsewhere the scenario is skipped (<see cref="Execution.Sequencer"/>).</param>
/// <param name="Shift">For a verb that moves the data file's blocks (collapse, insert): which way.</param>
/// <param name="NotInRaceBecause">Why a verb that is not <paramref name="AllowedInRace"/> cannot be, where the parser
/// should say so.</param>
public sealed record VerbInfo(
    string Keyword, Effect Effect, Writer Writer, IReadOnlyList<ArgSpec> Args, bool AllowedInRace, bool NeedsFile, bool NeedsMapping, string Help,
    string? Privilege = null, bool SurvivesPowerCut = false, bool CutsPower = false, FileWriter? File = null, RangeShift? Shift = null,
    string? NotInRaceBecause = null)
{
    /// <summary>The verb goes through the long-term pin an earlier <c>pin</c> took: when that pin failed, it is
    /// not run (<see cref="Execution.Sequencer"/>).</summary>
    public bool NeedsPin => Effect is Effect.WriteThroughPin or Effect.CopyThroughPin or Effect.Unpin;

    /// <summary>The generation it writes comes from a source file the executor prepares (O_DIRECT and io_uring
    /// reads, the device's writes); a CPU store writes it from the CPU.</summary>
    public bool ReadsSourceFile => Effect == Effect.WriteThroughPin || (Effect == Effect.WriteMapping && Writer != Writer.Cpu)
        || File?.Source == FileSource.Buffer;

    /// <summary>The generation it writes comes from a file beside the data file, on its filesystem.</summary>
    public bool ReadsSiblingFile => File?.Source == FileSource.SiblingFile;

    /// <summary>The verb submits its I/O through an io_uring ring of its own (not through a pin).</summary>
    public bool UsesIoUring => Writer == Writer.Uring;

    /// <summary>check and race: the sequencer drives them; an executor has no handler for them.</summary>
    public bool IsSequenced => Effect is Effect.Check or Effect.Race;
}

public static class Verbs
{
    private static readonly ArgSpec GenArg = new("gen", ArgKind.Gen, Required: true);
    private static readonly ArgSpec BlocksArg = new("blocks", ArgKind.Blocks);
    private static readonly ArgSpec ToArg = new("to", ArgKind.Target);

    public static readonly VerbInfo Store = new("store", Effect.WriteMapping, Writer.Cpu, [GenArg, BlocksArg], true, false, true,
        "CPU stores of generation N through the mapping");
    public static readonly VerbInfo ODirectRead = new("odirect-read", Effect.WriteMapping, Writer.ODirect, [GenArg, BlocksArg], true, false, true,
        "pread(O_DIRECT) of generation N from a source file INTO the mapping (short-term FOLL_PIN)");
    public static readonly VerbInfo UringRead = new("uring-read", Effect.WriteMapping, Writer.Uring, [GenArg, BlocksArg], true, false, true,
        "io_uring READ (no registered buffer) of generation N from a source file into the mapping");
    public static readonly VerbInfo ODirectWrite = new("odirect-write", Effect.CopyFromMapping, Writer.ODirect, [BlocksArg, ToArg], true, false, true,
        "pwrite(O_DIRECT) FROM the mapping to another file (default 'out')");
    public static readonly VerbInfo UringWrite = new("uring-write", Effect.CopyFromMapping, Writer.Uring, [BlocksArg, ToArg], true, false, true,
        "io_uring WRITE (no registered buffer) from the mapping to another file");
    public static readonly VerbInfo Msync = new("msync", Effect.Persist, 0,
        [new("mode", ArgKind.Mode, Positional: true, Choices: ["sync", "async", "invalidate"]), BlocksArg], true, true, true,
        "msync(MS_SYNC by default) over the blocks' part of the mapping", SurvivesPowerCut: true);
    public static readonly VerbInfo Fsync = new("fsync", Effect.Persist, 0, [], true, true, false, "fsync(2) the file", SurvivesPowerCut: true);
    public static readonly VerbInfo Fdatasync = new("fdatasync", Effect.Persist, 0, [], true, true, false, "fdatasync(2) the file", SurvivesPowerCut: true);
    public static readonly VerbInfo SyncFileRange = new("sync-file-range", Effect.Persist, 0, [BlocksArg], true, true, false,
        "sync_file_range(WAIT_BEFORE | WRITE | WAIT_AFTER) over the blocks");
    public static readonly VerbInfo FadviseDontneed = new("fadvise-dontneed", Effect.Evict, 0, [BlocksArg], true, true, false,
        "posix_fadvise(POSIX_FADV_DONTNEED) over the blocks");
    public static readonly VerbInfo DropCaches = new("drop-caches", Effect.Evict, 0, [], true, false, false,
        "echo 3 > /proc/sys/vm/drop_caches", Privilege: "root (CAP_SYS_ADMIN) to write /proc/sys/vm/drop_caches");
    public static readonly VerbInfo Mprotect = new("mprotect", Effect.Protect, 0,
        [new("mode", ArgKind.Mode, Required: true, Positional: true, Choices: ["ro", "rw"])], true, false, true,
        "mprotect the mapping read-only or read-write");
    public static readonly VerbInfo Truncate = new("truncate", Effect.Resize, 0, [new("size", ArgKind.Size, Required: true)], false, true, false,
        "ftruncate(2) the file to a block-aligned size");
    public static readonly VerbInfo Punch = new("punch", Effect.Punch, 0, [new("blocks", ArgKind.Blocks, Required: true)], false, true, false,
        "fallocate(PUNCH_HOLE | KEEP_SIZE) over the blocks");
    public static readonly VerbInfo Pin = new("pin", Effect.Pin, 0,
        [new("path", ArgKind.PinPath, Required: true, Positional: true), new("access", ArgKind.Access), BlocksArg], false, false, true,
        "take a long-term pin of the blocks' pages: " + string.Join(" | ", PinPathTable.All.Select(p =>
            p.AccessFlags.Count == 0 ? p.Name : $"{p.Name} [access={string.Join(',', p.AccessFlags.Keys)}]")));
    public static readonly VerbInfo Unpin = new("unpin", Effect.Unpin, 0, [], false, false, false,
        "release the long-term pin (the pin path's unregister call)");
    public static readonly VerbInfo Dma = new("dma", Effect.WriteThroughPin, 0, [GenArg, BlocksArg], true, false, false,
        "the pin path's device writes generation N into the pinned pages");
    public static readonly VerbInfo DmaRead = new("dma-read", Effect.CopyThroughPin, 0, [BlocksArg, ToArg], true, false, false,
        "the pin path's device reads the pinned pages out to another file");
    public static readonly VerbInfo Fork = new("fork", Effect.ForkWrite, Writer.Cpu, [GenArg, BlocksArg], false, false, true,
        "fork(); the child stores generation N into the blocks through its copy of the mapping, then stays alive " +
        "until the scenario ends");
    public static readonly VerbInfo Munmap = new("munmap", Effect.Unmap, 0, [], false, false, true, "munmap the mapping (pins keep their pages)");
    public static readonly VerbInfo Check = new("check", Effect.Check, 0, [], false, false, false,
        "read every block via O_DIRECT, buffered I/O and the mapping; the oracle judges what each path saw");
    public static readonly VerbInfo Race = new("race", Effect.Race, 0, [new("for", ArgKind.Duration), new("count", ArgKind.Count)], false, false, false,
        "run the steps up to 'end' concurrently, each on its own thread, repeating until the time or count bound");
    public static readonly VerbInfo Crash = new("crash", Effect.Crash, 0, [], false, true, false,
        "cut the power (VM target: qemu killed, nothing flushed) and boot again on the same disks; the steps after it " +
        "(check) see only what persistence points made durable", CutsPower: true);

    // File writers. The kernel takes any of them beside any other call (the folio lock, the inode's locks and the
    // mapping's invalidate lock serialise them), so every one may race: the race rule (Oracle/RaceRule.cs) knows a page
    // that leaves the file mid-race (O_DIRECT's invalidation, a reflink, clone, zero-range). Where a backing refuses
    // the call, every iteration fails with the errno and contributes nothing.
    public static readonly VerbInfo Write = new("write", Effect.WriteFile, Writer.Buffered, [GenArg, BlocksArg], true, true, false,
        "pwrite(2) of generation N into the data file from a buffer of Bridge's (through the page cache: a pinned page receives it)",
        File: new(FileSource.Buffer, PageReplacement.Never, "pwrite"));
    public static readonly VerbInfo ODirectWriteFile = new("odirect-write-file", Effect.WriteFile, Writer.ODirect, [GenArg, BlocksArg], true, true, false,
        "pwrite(O_DIRECT) of generation N into the data file from an aligned buffer of Bridge's (a second descriptor); the " +
        "cached pages are written back and invalidated first, a pinned one too (it lives on outside the file)",
        File: new(FileSource.Buffer, PageReplacement.WhereStorage, "pwrite(O_DIRECT)"));
    public static readonly VerbInfo CopyRange = new("copy-range", Effect.WriteFile, Writer.Copy, [GenArg, BlocksArg], true, true, false,
        "copy_file_range(2) of generation N from a file of Bridge's beside the data file (a reflink on xfs and btrfs, " +
        "which takes the cached pages out of the file; a copy into them elsewhere)",
        File: new(FileSource.SiblingFile, PageReplacement.WhereReflink, "copy_file_range"));
    public static readonly VerbInfo Clone = new("clone", Effect.WriteFile, Writer.Copy, [GenArg, BlocksArg], true, true, false,
        "ioctl(FICLONERANGE) of generation N from a file of Bridge's beside the data file (xfs, btrfs; refused elsewhere " +
        "with the kernel's errno)",
        File: new(FileSource.SiblingFile, PageReplacement.Always, "ioctl(FICLONERANGE)"));
    public static readonly VerbInfo ZeroRange = new("zero-range", Effect.WriteFile, 0, [new("blocks", ArgKind.Blocks, Required: true)], true, true, false,
        "fallocate(FALLOC_FL_ZERO_RANGE) over the blocks (ext4, xfs, btrfs; refused on shmem and hugetlbfs)",
        File: new(FileSource.Zeros, PageReplacement.Always, "fallocate(FALLOC_FL_ZERO_RANGE)"));

    // The verbs that move blocks (fsx's collapse and insert). Not in races: the race rule (Oracle/RaceRule.cs) decides
    // what each block ends holding from which writer's iteration came last, and a collapse or insert that repeats
    // moves every block after the range again on each iteration — where a block's data ends depends on how many
    // iterations ran and on what each racing write hit before or after which move, which the rule cannot bound.
    private const string ShiftNotInRace = "each iteration moves every block from the range on again, so what a block ends " +
        "holding depends on how many moves ran before or after each racing write, which the race rule cannot bound";

    public static readonly VerbInfo CollapseRange = new("collapse-range", Effect.ShiftBlocks, 0, [new("blocks", ArgKind.Blocks, Required: true)], false, true, false,
        "fallocate(FALLOC_FL_COLLAPSE_RANGE) over the blocks: the blocks after them move down, the file shrinks by them; the " +
        "pages from the range on leave the page cache, a pinned one too (ext4, xfs; EINVAL when the range reaches the end " +
        "of the file, EOPNOTSUPP elsewhere)",
        Shift: new(Inserts: false, "fallocate(FALLOC_FL_COLLAPSE_RANGE)"), NotInRaceBecause: ShiftNotInRace);
    public static readonly VerbInfo InsertRange = new("insert-range", Effect.ShiftBlocks, 0, [new("blocks", ArgKind.Blocks, Required: true)], false, true, false,
        "fallocate(FALLOC_FL_INSERT_RANGE) over the blocks: the blocks from the range on move up, the range becomes a hole, " +
        "the file grows by it; the pages from the range on leave the page cache, a pinned one too (ext4, xfs; EINVAL when " +
        "the range starts at or past the end of the file, EOPNOTSUPP elsewhere)",
        Shift: new(Inserts: true, "fallocate(FALLOC_FL_INSERT_RANGE)"), NotInRaceBecause: ShiftNotInRace);

    public static readonly IReadOnlyList<VerbInfo> All =
    [
        Store, ODirectRead, UringRead, ODirectWrite, UringWrite, Msync, Fsync, Fdatasync, SyncFileRange, FadviseDontneed,
        DropCaches, Mprotect, Truncate, Punch, Pin, Unpin, Dma, DmaRead, Fork, Munmap, Check, Race,
        Crash, Write, ODirectWriteFile, CopyRange, Clone, ZeroRange, CollapseRange, InsertRange,
    ];

    /// <summary>The verbs every executor implements, one handler each; check and race are the sequencer's.</summary>
    public static IEnumerable<VerbInfo> Executed => All.Where(v => !v.IsSequenced);

    public static VerbInfo? Find(string keyword) => All.FirstOrDefault(v => v.Keyword == keyword);
}
