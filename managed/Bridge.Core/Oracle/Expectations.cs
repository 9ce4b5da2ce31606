using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Oracle;

/// <summary>
/// Folds a scenario's steps, with their real results, into what every block may hold. One rule per effect:
/// <list type="bullet">
/// <item>A completed write (CPU store, O_DIRECT, io_uring, DMA through a pin) sets the page to its generation; until
/// a persistence point the disk may hold any generation written since the last one, or a sector mix of them.</item>
/// <item>A persistence point (fsync, fdatasync, msync MS_SYNC, sync_file_range with WAIT) that returned 0
/// requires the disk to hold, for every covered block, what the page held when the call began.</item>
/// <item>Truncate and punch take the block's page out of the file: the block reads as a hole (or is past EOF), and
/// data the device writes later through a pin still holding the old page must not come back (that is a phantom).</item>
/// <item>A refused or failed step contributes nothing — except a read into the mapping that failed mid-transfer
/// (<see cref="MidTransferFailure"/>): each of its blocks may hold the read's data (or a failed checksum's zeros),
/// mixed with what it held.</item>
/// <item>A power cut (crash) leaves what was durable: every block whose last completed write was followed by a
/// persistence point that survives a power cut (fsync, fdatasync, msync MS_SYNC) holds that generation or a later
/// completed write; a block written, truncated or punched since may hold anything written since (or the persisted
/// content); nothing else. The page cache, the mapping, private copies and the pin are gone.</item>
/// <item>A file writer (write, O_DIRECT write, copy_file_range, clone, zero-range) sets the block's file content to
/// its generation (zeros for zero-range), growing the file past EOF. Where it writes into the cached page, a page a
/// pin holds receives the data (the device and the file keep sharing it); where it replaces the page
/// (<see cref="FileWriter.ReplacesPagesOn"/>), the disk and the page cache hold the new content and a pinned page
/// leaves the file as truncate leaves it: what the device writes there afterwards is an orphaned write.</item>
/// <item>A collapse or insert (<see cref="RangeShift"/>) moves every block from its range on by the range's length,
/// each keeping the header of the offset it was written at (<see cref="Content.Moved"/>), and takes their pages out of
/// the file as truncate does.</item>
/// </list>
/// </summary>
internal sealed class Expectations
{
    private readonly Scenario _scenario;
    private readonly BlockState[] _blocks;
    private readonly Dictionary<string, Dictionary<int, Allowed>> _outputs = [];
    private PinState? _pin;
    private int _fileBlocks;

    private readonly Observation _observation;
    private readonly List<OrphanedWrite> _orphanedWrites = [];
    private int _applying = -1;

    public Expectations(Scenario scenario, Observation observation)
    {
        _scenario = scenario;
        _observation = observation;
        var initial = scenario.Init == InitialFill.Data ? Content.Data(0) : Content.Hole;
        _blocks = Enumerable.Range(0, scenario.MaxFileBlocks)
            .Select(b => new BlockState(Allowed.Exactly(b < scenario.Geometry.BlockCount ? initial : Content.BeyondEof, -1))).ToArray();
        _fileBlocks = scenario.Geometry.BlockCount;
    }

    internal bool PrivateFileMapping => _scenario.Map == MapKind.Private && _scenario.Backing.HasFile;

    public bool Mapped { get; private set; } = true;

    public Scenario Scenario => _scenario;

    public StepResult ResultOf(Step step) => _observation.ResultOf(step.Index) ?? StepResult.Skipped(step.Index, "no result");

    /// <summary>Device writes that completed into pages the file no longer owns, in step order.</summary>
    public IReadOnlyList<OrphanedWrite> OrphanedWrites => _orphanedWrites;

    public void Apply(Step step)
    {
        _applying = step.Index;
        var result = ResultOf(step);
        if (!result.Ok && step.Effect != Effect.Race)
        {
            if (step.Effect == Effect.Pin && PrivateFileMapping)
                foreach (var b in step.Blocks.Blocks.Where(InFile).SelectMany(CowUnitOf).Distinct()) // past EOF nothing is faulted in
                {
                    // A refusal may come after GUP already faulted the pages — a write pin copies them (COW), a
                    // read-only long-term pin may unshare them (gup_must_unshare), each whole COW unit; a range that
                    // reaches past EOF fails after the pages before it were faulted: the mapping may hold a copy of
                    // what the page held then, or still the file's page (WriteFile, RemovePage and a partial punch
                    // widen it).
                    _blocks[b].MaybePrivate = _blocks[b].Private is null || _blocks[b].MaybePrivate;
                    _blocks[b].Private ??= _blocks[b].Memory;
                }
            if (step.Effect == Effect.WriteMapping && MidTransferFailure.After(result))
                foreach (var b in step.Blocks.Blocks)
                {
                    // A read into the mapping that failed in the middle (an I/O error on another of its blocks) may
                    // have transferred any part of this one: the page holds what it held, or what the read left, mixed.
                    var left = MidTransferFailure.Left(Allowed.Exactly(Content.Data(step.Gen), step.Index), step, result, _scenario.Backing);
                    WriteThroughMapping(b, MappingView(b).Union(left), left);
                }
            return;
        }
        switch (step.Effect)
        {
            case Effect.WriteMapping:
                foreach (var b in step.Blocks.Blocks)
                    WriteThroughMapping(b, Allowed.Exactly(Content.Data(step.Gen), step.Index), Allowed.Exactly(Content.Data(step.Gen), step.Index));
                break;
            case Effect.ForkWrite when _scenario.Map == MapKind.Shared:
                // The child's stores land in the shared pages; with a private mapping they stay in its COW copies.
                foreach (var b in step.Blocks.Blocks)
                    WriteThroughMapping(b, Allowed.Exactly(Content.Data(step.Gen), step.Index), Allowed.Exactly(Content.Data(step.Gen), step.Index));
                break;
            case Effect.WriteThroughPin:
                foreach (var b in step.Blocks.Blocks)
                    WriteThroughPin(b, Allowed.Exactly(Content.Data(step.Gen), step.Index), Allowed.Exactly(Content.Data(step.Gen), step.Index), step.Index);
                break;
            case Effect.WriteFile:
                WriteThroughFile(step);
                break;
            case Effect.CopyFromMapping:
                foreach (var b in step.Blocks.Blocks.Where(InFile))
                    Output(step.Args.Target!)[b] = MappingView(b); // past EOF the mapping is SIGBUS: nothing is copied
                break;
            case Effect.CopyThroughPin:
                foreach (var b in step.Blocks.Blocks)
                    Output(step.Args.Target!)[b] = PinnedView(b);
                break;
            case Effect.Persist:
                foreach (var b in PersistedBlocks(step))
                    Persist(b, step.Index);
                break;
            case Effect.Resize:
                Resize((int)(step.Args.Size!.Value / _scenario.Geometry.BlockSize));
                break;
            case Effect.Punch:
                Punch(step.Blocks);
                break;
            case Effect.Pin:
                Pin(step);
                break;
            case Effect.Unpin:
                _pin = null;
                break;
            case Effect.Unmap:
                Mapped = false;
                break;
            case Effect.Race:
                new RaceRule(this, step).Apply();
                break;
            case Effect.Crash:
                PowerCut();
                break;
            case Effect.ShiftBlocks:
                Shift(step);
                break;
        }
    }

    // ---- what each path may show -------------------------------------------------------------------------

    public Allowed Expected(string file, ReadPath path, int block)
    {
        if (file != CheckPlan.DataFile)
            return Output(file).GetValueOrDefault(block) ?? Allowed.Exactly(Content.Hole, -1);
        var state = _blocks[block];
        return path switch
        {
            ReadPath.Disk when _scenario.Backing.HasStorage => state.Disk,
            ReadPath.Mapping => MappingView(block),
            _ => state.Memory,
        };
    }

    public BlockState Block(int block) => _blocks[block];

    public bool SharedFileMapping => _scenario.Backing.HasFile && _scenario.Map == MapKind.Shared;

    // ---- rules ---------------------------------------------------------------------------------------------

    /// <summary>A completed write into the mapped memory. <paramref name="final"/> is what the page holds after it,
    /// <paramref name="written"/> everything it held on the way (they differ only for races).</summary>
    internal void WriteThroughMapping(int block, Allowed final, Allowed written)
    {
        if (block >= _fileBlocks)
            return; // the executor does not store past EOF (it would be SIGBUS); nothing was written
        if (PrivateFileMapping)
            MakePrivate(block, final);
        else
            WriteFile(block, final, written);
    }

    /// <summary>The device writes through the pin into the page the pin holds — which may no longer be the file's:
    /// then the write completes into an orphan and is noted as an orphaned write of <paramref name="step"/>.</summary>
    internal void WriteThroughPin(int block, Allowed final, Allowed written, int step)
    {
        if (_pin is null)
            return;
        var state = _blocks[block];
        if (_pin.Epochs[block] != state.Epoch)
        {
            _pin.Orphans[block] = final; // the page left the file: the device writes into nothing the file owns
            _orphanedWrites.Add(new OrphanedWrite(step, block, _pin.LeftFileAt.GetValueOrDefault(block, -1)));
        }
        else if (PrivateFileMapping && _pin.Writable)
            MakePrivate(block, final);
        else
            WriteFile(block, final, written);
    }

    /// <summary>A file writer (rule 9): past EOF it grows the file first (the blocks between read as holes); then each
    /// block's page is written in place or replaced, as the verb's row says for this backing.</summary>
    private void WriteThroughFile(Step step)
    {
        var writer = step.Verb.File!;
        GrowTo(step.Blocks.Last + 1);
        var content = Allowed.Exactly(writer.Source == FileSource.Zeros ? Content.Hole : Content.Data(step.Gen), step.Index);
        var replaces = writer.ReplacesPagesOn(_scenario.Backing);
        foreach (var b in step.Blocks.Blocks)
        {
            if (replaces)
                RemovePage(b, content, keepPrivate: true); // invalidate_inode_pages2 / truncate_pagecache_range: even_cows=0
            else
                WriteCachedPage(b, content, content);
        }
    }

    /// <summary>A race in which a replacing file writer (rule 9) completed on this block (<see cref="RaceRule"/>): the
    /// file's page ends holding <paramref name="final"/> and the disk anything <paramref name="written"/> during the race
    /// (the replacement wrote the disk; writeback may have written what followed it). A pin that held the file's page
    /// when the race began now holds an orphan with <paramref name="orphan"/> in it, taken out by
    /// <paramref name="replacer"/>; <paramref name="orphanedDevices"/> are the device steps whose last write certainly
    /// went there.</summary>
    internal void ReplaceInRace(int block, Allowed final, Allowed written, Allowed orphan, int replacer, IEnumerable<int> orphanedDevices)
    {
        var state = _blocks[block];
        var pinned = _pin is not null && _pin.Epochs.TryGetValue(block, out var epoch) && epoch == state.Epoch;
        var pinKeepsPrivateCopy = pinned && PrivateFileMapping && state.Private is not null;
        if (pinned && !pinKeepsPrivateCopy)
        {
            _pin!.Orphans[block] = orphan;
            _pin.LeftFileAt[block] = replacer;
            _orphanedWrites.AddRange(orphanedDevices.Select(device => new OrphanedWrite(device, block, replacer)));
        }
        state.Epoch++;
        if (pinKeepsPrivateCopy)
            _pin!.Epochs[block] = state.Epoch; // the pinned page is the private copy the replacement left mapped
        if (state.Private is null && state.MaybePrivate)
            state.Private = final.Union(state.Memory);
        state.Memory = final;
        state.Disk = written;
        state.Durable = state.Durable.Union(written);
        state.Written = state.Written.Union(written);
        state.PersistedBy = null;
    }

    /// <summary>A file writer past EOF grows the file (i_size_write); the blocks between read as holes.</summary>
    internal void GrowTo(int blocks) => Resize(Math.Max(blocks, _fileBlocks));

    /// <summary>A write into the file's cached page (not the mapping's private copy, which a file write never
    /// touches); a pin holding the page sees it.</summary>
    internal void WriteCachedPage(int block, Allowed final, Allowed written)
    {
        if (block >= _fileBlocks)
            return;
        var state = _blocks[block];
        if (PrivateFileMapping && state.Private is null && state.MaybePrivate)
            state.Private = state.Memory.Union(final); // a refused pin may have copied the page on write: the copy, or the file's page
        WriteFile(block, final, written);
    }

    private void WriteFile(int block, Allowed final, Allowed written)
    {
        var state = _blocks[block];
        // A copy the mapping only may have (a refused pin that may not have faulted: a read-only VMA refuses before
        // GUP faults) may be no copy at all: the mapping may still show the file's page.
        if (state is { MaybePrivate: true, Private: { } maybe })
            state.Private = maybe.Union(final);
        state.Memory = final;
        state.Disk = state.Disk.Union(written);
        state.Durable = state.Durable.Union(written);
        state.Written = state.Written.Union(written);
    }

    internal void Persist(int block, int step)
    {
        var state = _blocks[block];
        state.Disk = state.Memory;
        state.PersistedBy = step;
        if (_scenario.StepAt(step).Verb.SurvivesPowerCut)
            state.Durable = state.Memory;
    }

    /// <summary>The power cut: the file is what the disk kept of it, read again through an empty page cache; no
    /// mapping, private copy or pin survives. Output files are written with O_DIRECT and never synced: a block may
    /// hold what was copied there, or be the hole it was (its allocation may not have been committed).</summary>
    private void PowerCut()
    {
        foreach (var state in _blocks)
        {
            state.Memory = state.Disk = state.Durable;
            state.Private = null;
            state.MaybePrivate = false;
        }
        foreach (var output in _outputs.Values)
            foreach (var block in output.Keys)
                output[block] = output[block].Union(Allowed.Exactly(Content.Hole, -1));
        _pin = null;
        Mapped = false;
    }

    internal IEnumerable<int> PersistedBlocks(Step step)
    {
        // A persistence point through the mapping (msync): MS_ASYNC starts nothing on Linux since 2.6.19, and
        // msync of a private mapping writes nothing to the file.
        if (step.Verb.NeedsMapping && (step.Args.Mode == "async" || PrivateFileMapping))
            return [];
        return step.Args.Blocks?.Blocks ?? Enumerable.Range(0, _blocks.Length);
    }

    internal Allowed MappingView(int block)
    {
        var state = _blocks[block];
        return PrivateFileMapping && block < _fileBlocks ? state.Private ?? state.Memory : state.Memory;
    }

    internal Allowed PinnedView(int block)
    {
        if (_pin is null)
            return _blocks[block].Memory;
        if (_pin.Orphans.TryGetValue(block, out var orphan))
            return orphan;
        // A writable pin of a private mapping breaks COW at pin time; a read-only long-term pin unshares the page
        // (gup_must_unshare), so the device sees what the process sees — including its later stores.
        return PrivateFileMapping ? MappingView(block) : _blocks[block].Memory;
    }

    /// <summary>Whether the pin (if any) still holds the page the mapping writes for this block.</summary>
    internal bool PinSharesPage(int block) =>
        _pin is null || !_pin.Epochs.TryGetValue(block, out var epoch) || epoch == _blocks[block].Epoch;

    /// <summary>Whether the block lies inside the file as it is now (truncate may have shortened it).</summary>
    internal bool InFile(int block) => block < _fileBlocks;

    /// <summary>Blocks the data file has after the steps applied so far (truncate may have changed it).</summary>
    internal int FileBlocks => _fileBlocks;

    internal Dictionary<int, Allowed> Output(string name) =>
        _outputs.TryGetValue(name, out var blocks) ? blocks : _outputs[name] = [];

    private void Pin(Step step)
    {
        var writable = PinPathInfo.IsWritable(step.Args.Access ?? PinAccess.None);
        _pin = new PinState(step.Blocks.Blocks.ToDictionary(b => b, b => _blocks[b].Epoch), writable);
        if (!PrivateFileMapping)
            return;
        // A long-term pin of a private mapping holds the process's own copy: FOLL_WRITE breaks COW, and a read-only
        // long-term pin unshares the page (mm gup_must_unshare), so device and process keep seeing the same page.
        // Only a write pin copies for certain in every era: a read-only pin unshares since 6.5 (hugetlb_wp with
        // FAULT_FLAG_UNSHARE copies the whole huge page) and before it leaves the file's page mapped, so the rest of a
        // read-only pin's COW unit may be a copy or still the file's page.
        foreach (var b in step.Blocks.Blocks)
            MakePrivate(b, CopiedNow(b), unitCopied: writable);
    }

    /// <summary>The mapping's page is the process's own copy now, holding <paramref name="content"/>. The copy-on-write
    /// that made it copied the block's whole COW unit (<see cref="BackingInfo.CowUnit"/>: a hugetlbfs huge page,
    /// mm/hugetlb.c hugetlb_wp): every other block of the unit the mapping still shared with the file is a copy too,
    /// holding what the mapping showed there at that moment — or, unless <paramref name="unitCopied"/>, may be.</summary>
    private void MakePrivate(int block, Allowed content, bool unitCopied = true)
    {
        foreach (var other in CowUnitOf(block))
            if (other != block && _blocks[other] is { Private: null } or { MaybePrivate: true })
                (_blocks[other].Private, _blocks[other].MaybePrivate) = (CopiedNow(other), !unitCopied);
        _blocks[block].Private = content;
        _blocks[block].MaybePrivate = false;
    }

    /// <summary>What a copy-on-write of the block made now holds: its private copy if it has one, else the file's
    /// page — either, when a refused pin may or may not have copied it already.</summary>
    private Allowed CopiedNow(int block) => _blocks[block] is { MaybePrivate: true, Private: { } maybe }
        ? maybe.Union(_blocks[block].Memory)
        : _blocks[block].Private ?? _blocks[block].Memory;

    /// <summary>The blocks inside the file that one copy-on-write of <paramref name="block"/> copies together
    /// (<see cref="BackingInfo.CowUnit"/>); just the block where a block spans one unit or more.</summary>
    private IEnumerable<int> CowUnitOf(int block)
    {
        var perUnit = Math.Max(1, (int)(_scenario.Backing.CowUnit / _scenario.Geometry.BlockSize));
        var first = block / perUnit * perUnit;
        return Enumerable.Range(first, perUnit).Where(InFile);
    }

    private void Resize(int blocks)
    {
        for (var b = blocks; b < _fileBlocks; b++)
            RemovePage(b, Content.BeyondEof, keepPrivate: false); // truncate unmaps private COW pages too
        for (var b = _fileBlocks; b < blocks; b++)
        {
            _blocks[b].Memory = _blocks[b].Disk = Allowed.Exactly(Content.Hole, -1);
            _blocks[b].Durable = _blocks[b].Durable.Union(_blocks[b].Memory);
        }
        _fileBlocks = blocks;
    }

    /// <summary>Punch hole: pages wholly inside the hole leave the file (and, where the backing's row says so, a
    /// private mapping's copies of them: <see cref="BackingInfo.PunchZapsPrivateCopies"/>); a page only partly inside
    /// (a 2 MiB hugetlbfs page under a 4 KiB punch) is zeroed in place and stays (hugetlbfs_zero_partial_page). A
    /// hole punched past EOF changes nothing.</summary>
    private void Punch(BlockSet blocks)
    {
        var perPage = Math.Max(1, (int)(_scenario.Backing.PageSize / _scenario.Geometry.BlockSize));
        foreach (var page in blocks.Blocks.Where(InFile).GroupBy(b => b / perPage))
        {
            var whole = Enumerable.Range(page.Key * perPage, perPage).All(blocks.Contains);
            foreach (var b in page)
            {
                if (whole)
                {
                    RemovePage(b, Content.Hole, keepPrivate: !_scenario.Backing.PunchZapsPrivateCopies);
                }
                else
                {
                    if (_blocks[b] is { MaybePrivate: true, Private: { } maybe })
                        _blocks[b].Private = maybe.Union(Allowed.Exactly(Content.Hole, -1)); // the mapping may share the zeroed page
                    _blocks[b].Memory = _blocks[b].Disk = Allowed.Exactly(Content.Hole, -1);
                    _blocks[b].Durable = _blocks[b].Durable.Union(_blocks[b].Memory);
                    _blocks[b].PersistedBy = null;
                }
            }
        }
    }

    /// <summary>Collapse or insert (rule 10): the kernel writes the pages from the range's start to the end of the file
    /// back, truncates them from the page cache (a pinned page leaves the file as under truncate; private copies are
    /// unmapped with it where the backing's row says so, <see cref="BackingInfo.ShiftZapsPrivateCopies"/>) and shifts
    /// the extents. So every block from the range's start on holds, on
    /// disk and in the page read in again, what the page <see cref="RangeShift.Distance"/> blocks away held — its data
    /// naming the offset it was written at (<see cref="Content.Moved"/>) — an inserted range reads as a hole, and the
    /// file's size moves by the range. Until a persistence point makes it durable, a power cut may leave the file as it
    /// was or as it is now.</summary>
    private void Shift(Step step)
    {
        var distance = step.Verb.Shift!.Distance(step.Blocks);
        var (from, before) = (step.Blocks.First, _fileBlocks);
        var after = before + distance;
        Allowed Source(int b, Func<BlockState, Allowed> part) =>
            b - distance is var src && (step.Verb.Shift.Inserts ? src >= from : src < before)
                ? part(_blocks[src]).MovedBy(-distance)
                : Allowed.Exactly(Content.Hole, step.Index); // the inserted range
        var memory = Enumerable.Range(from, Math.Max(0, after - from)).Select(b => Source(b, s => s.Memory)).ToList();
        var written = Enumerable.Range(from, Math.Max(0, after - from)).Select(b => Source(b, s => s.Written)).ToList();
        // Not yet durable, the shift may be undone by a power cut: the block may hold what it durably held, what the
        // write-back put there in place, or either moved.
        var durable = Enumerable.Range(from, Math.Max(0, after - from))
            .Select(b => Source(b, s => s.Durable.Union(s.Memory)).Union(_blocks[b].Durable).Union(_blocks[b].Memory)).ToList();
        var was = Enumerable.Range(from, Math.Max(0, after - from))
            .Select(b => b < before ? _blocks[b].Written : Allowed.Exactly(Content.BeyondEof, -1)).ToList();
        for (var b = from; b < before; b++)
            RemovePage(b, b < after ? memory[b - from] : Allowed.Exactly(Content.BeyondEof, -1),
                keepPrivate: b < after && !_scenario.Backing.ShiftZapsPrivateCopies); // past the new end: truncate_setsize's even_cows=1
        for (var b = from; b < after; b++)
        {
            var state = _blocks[b];
            state.Durable = durable[b - from];
            state.Memory = state.Disk = memory[b - from];
            state.Written = was[b - from].Union(written[b - from]); // what sat here unmoved is an older write, not a phantom
        }
        _fileBlocks = after;
    }

    /// <summary>Truncate and punch: the page leaves the page cache (a pin keeps it alive as an orphan). Punch leaves
    /// MAP_PRIVATE COW pages alone (truncate_pagecache_range unmaps with even_cows=0) except on hugetlbfs; truncate
    /// does not.</summary>
    private void RemovePage(int block, Content after, bool keepPrivate) => RemovePage(block, Allowed.Exactly(after, -1), keepPrivate);

    /// <summary>The page leaves the file and <paramref name="after"/> is the block's content (a hole, EOF, or a file
    /// writer's data, which joins the block's history).</summary>
    private void RemovePage(int block, Allowed after, bool keepPrivate)
    {
        var state = _blocks[block];
        var pinned = _pin is not null && _pin.Epochs.TryGetValue(block, out var epoch) && epoch == state.Epoch;
        var pinKeepsPrivateCopy = pinned && keepPrivate && PrivateFileMapping && state.Private is not null;
        if (pinned && !pinKeepsPrivateCopy)
        {
            _pin!.Orphans[block] = PinnedView(block);
            _pin.LeftFileAt[block] = _applying;
        }
        var before = state.Memory;
        state.Epoch++;
        if (pinKeepsPrivateCopy)
            _pin!.Epochs[block] = state.Epoch; // the pinned page is the private copy punch left mapped
        state.Memory = state.Disk = after;
        state.Durable = state.Durable.Union(after);
        if (after.SoleOrigin >= 0)
            state.Written = state.Written.Union(after);
        state.PersistedBy = null;
        if (!keepPrivate)
            (state.Private, state.MaybePrivate) = (null, false); // truncate unmaps the copies, a refused pin's included
        else if (state.MaybePrivate)
            state.Private = (state.Private ?? before).Union(after); // the old copy, or the file's new content
    }
}
