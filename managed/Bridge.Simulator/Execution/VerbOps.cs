using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Model;

namespace Bridge.Simulator.Execution;

/// <summary>One verb's effect on the modelled kernel, for iteration <c>i</c> of its step (0 outside races).</summary>
internal delegate IEnumerable<Yield> VerbOp(Kernel kernel, Step step, int iteration, CallStatus result);

/// <summary>
/// The verbs of <see cref="Verbs"/>, each as the system calls the executor makes would act on the kernel, keyed by
/// the verb's row. check and race are the <see cref="Sequencer"/>'s.
/// </summary>
internal static class VerbOps
{
    public static readonly VerbTable<VerbOp> Table = new("Bridge.Simulator", [
        (Verbs.Store, Store),
        (Verbs.ODirectRead, DirectRead),
        (Verbs.UringRead, DirectRead),
        (Verbs.ODirectWrite, CopyFromMapping),
        (Verbs.UringWrite, CopyFromMapping),
        (Verbs.Msync, Msync),
        (Verbs.Fsync, (k, s, i, r) => Persist(k, 0, k.MappingPages - 1, r)),
        (Verbs.Fdatasync, (k, s, i, r) => Persist(k, 0, k.MappingPages - 1, r)),
        (Verbs.SyncFileRange, (k, s, i, r) => Persist(k, FirstPage(k, s), LastPage(k, s), r)),
        (Verbs.FadviseDontneed, (k, s, i, r) => k.FadviseDontneed(FirstPage(k, s), LastPage(k, s), r)),
        (Verbs.DropCaches, DropCaches),
        (Verbs.Mprotect, Mprotect),
        (Verbs.Truncate, (k, s, i, r) => Instant(() => k.Truncate(s.Args.Size!.Value))),
        (Verbs.Punch, Punch),
        (Verbs.Pin, (k, s, i, r) => Instant(() => k.TakePin(s.PinPath, s.Args.Access ?? PinAccess.None, s.Blocks, r))),
        (Verbs.Unpin, (k, s, i, r) => Instant(k.ReleasePin)),
        (Verbs.Dma, Dma),
        (Verbs.DmaRead, DmaRead),
        (Verbs.Munmap, Munmap),
        (Verbs.Fork, Fork),
        (Verbs.Crash, (k, s, i, r) => Instant(k.PowerCut)),
        (Verbs.Write, FileWrite),
        (Verbs.ODirectWriteFile, FileWrite),
        (Verbs.CopyRange, FileWrite),
        (Verbs.Clone, FileWrite),
        (Verbs.ZeroRange, FileWrite),
        (Verbs.CollapseRange, ShiftRange),
        (Verbs.InsertRange, ShiftRange),
    ]);

    private static Stamp StampOf(Step step, int iteration, Writer writer) =>
        new(Content.Data(step.Gen, (uint)iteration), writer, step.Index);

    private static List<int> PagesInFile(Kernel k, Step step) => k.PagesOf(step.Blocks, inFileOnly: true);

    private static int FirstPage(Kernel k, Step step) => step.Blocks.First * k.PagesPerBlock;
    private static int LastPage(Kernel k, Step step) => (step.Blocks.Last + 1) * k.PagesPerBlock - 1;

    private static IEnumerable<Yield> Instant(Action action)
    {
        action();
        return [];
    }

    /// <summary>Why the executor would not attempt a step that touches the mapping: a store into a read-only VMA
    /// would be SIGSEGV, any touch of a page past EOF SIGBUS (Bridge.Linux StepHandlers.MappingProblem / PastEof).</summary>
    private static bool NotRunnable(Kernel k, Step step, bool store, CallStatus result)
    {
        if (store && !k.Vma.VmWrite)
            result.NotRun(HarnessFaults.StoreIntoReadOnlyMapping);
        else if (!k.InFile(step.Blocks.Last))
            result.NotRun(HarnessFaults.PastEndOfFile(step.Blocks.Last, k.FileBlocks));
        return result.IsNotRun;
    }

    /// <summary>CPU stores through the mapping.</summary>
    private static IEnumerable<Yield> Store(Kernel k, Step step, int iteration, CallStatus result)
    {
        if (NotRunnable(k, step, store: true, result))
            yield break;
        var stamp = StampOf(step, iteration, step.Verb.Writer);
        foreach (var p in PagesInFile(k, step))
        {
            k.Fault(p, write: true).Write(stamp);
            yield return Yield.Preempt;
        }
    }

    /// <summary>pread(O_DIRECT) / io_uring READ from the source file into the mapping: GUP pins every page for
    /// writing (faulting as a store would), the device fills them, and completion marks them dirty
    /// (bio_set_pages_dirty / bio_check_pages_dirty) when the policy says so.</summary>
    private static IEnumerable<Yield> DirectRead(Kernel k, Step step, int iteration, CallStatus result)
    {
        if (NotRunnable(k, step, store: false, result))
            yield break;
        if (!k.Vma.VmWrite)
        {
            result.Fail("EFAULT", "GUP FOLL_WRITE on a read-only mapping");
            yield break;
        }
        var frames = PagesInFile(k, step).ConvertAll(p => k.GupPage(p, write: true, longTerm: false));
        foreach (var frame in frames)
            frame.ShortPins++;
        yield return Yield.Preempt; // the bio is in flight
        var stamp = StampOf(step, iteration, step.Verb.Writer);
        foreach (var frame in frames)
        {
            frame.Write(stamp);
            yield return Yield.Preempt;
        }
        foreach (var frame in frames)
        {
            if (k.Policy.Is(Policies.Switch.DirectIoDirtiesOnCompletion))
                Kernel.SetPageDirty(frame);
            frame.ShortPins--;
        }
    }

    /// <summary>pwrite(O_DIRECT) / io_uring WRITE from the mapping to an output file: GUP read pins, the device
    /// reads each page while the CPU may still be writing it.</summary>
    private static IEnumerable<Yield> CopyFromMapping(Kernel k, Step step, int iteration, CallStatus result)
    {
        if (NotRunnable(k, step, store: false, result))
            yield break;
        var output = k.Output(step.Args.Target!);
        var pages = PagesInFile(k, step);
        var frames = pages.ConvertAll(p => k.GupPage(p, write: false, longTerm: false));
        foreach (var frame in frames)
            frame.ShortPins++;
        for (var i = 0; i < pages.Count; i++)
        {
            frames[i].Sectors.CopyTo(output.Page(pages[i]));
            yield return Yield.Preempt;
        }
        foreach (var frame in frames)
            frame.ShortPins--;
    }

    /// <summary>msync: MS_ASYNC starts nothing (Linux ≥ 2.6.19); MS_SYNC (and MS_SYNC | MS_INVALIDATE, which is
    /// what 'msync invalidate' passes) is vfs_fsync_range over the range — for a shared file mapping only.</summary>
    private static IEnumerable<Yield> Msync(Kernel k, Step step, int iteration, CallStatus result) =>
        step.Args.Mode == "async" || k.File is null || !k.Vma.Shared
            ? []
            : Persist(k, FirstPage(k, step), LastPage(k, step), result);

    /// <summary>A persistence call: write the range back and wait (file_write_and_wait_range), then report a writeback
    /// error recorded since the descriptor last looked (file_check_and_advance_wb_err).</summary>
    private static IEnumerable<Yield> Persist(Kernel k, int first, int last, CallStatus result)
    {
        foreach (var y in k.WriteAndWait(first, last, result))
            yield return y;
        k.ReportWritebackError(result);
    }

    private static IEnumerable<Yield> DropCaches(Kernel k, Step step, int iteration, CallStatus result) =>
        Instant(() => k.Invalidate(0, k.MappingPages - 1));

    /// <summary>mprotect: PROT_READ clears VM_WRITE and every PTE's write bit; PROT_READ|PROT_WRITE restores VM_WRITE
    /// (PTEs regain write permission at the next write fault).</summary>
    private static IEnumerable<Yield> Mprotect(Kernel k, Step step, int iteration, CallStatus result) => Instant(() =>
    {
        k.Vma.VmWrite = step.Args.Mode == "rw";
        if (!k.Vma.VmWrite)
            for (var p = 0; p < k.MappingPages; p++)
                k.Vma.Ptes[p].Writable = false;
    });

    private static IEnumerable<Yield> Punch(Kernel k, Step step, int iteration, CallStatus result) =>
        Instant(() => k.Punch(k.PagesOf(step.Blocks, inFileOnly: false)));

    /// <summary>A file writer: refused where the policy's row says so; else past EOF it grows the file, and it writes
    /// into the cached pages or — where the verb's row replaces them on this backing — writes the range back
    /// (filemap_write_and_wait_range) and replaces the pages. O_DIRECT invalidates them before and after its write,
    /// where a store racing it can make either fail (<see cref="Policies.Policy.StaleCacheOnCollision"/>): before, the call
    /// falls back to a buffered write into the cached pages; after, the stale page stays and the next fsync says EIO.</summary>
    private static IEnumerable<Yield> FileWrite(Kernel k, Step step, int iteration, CallStatus result)
    {
        if (k.Policy.FileWriterRefusal(step.Verb, k.Scenario.Backing) is { } errno)
        {
            result.Fail(errno, $"{step.Verb.File!.Call} on {k.Scenario.Backing.Name}");
            yield break;
        }
        var writer = step.Verb.File!;
        var stamp = writer.Source == FileSource.Zeros ? Stamp.Hole : StampOf(step, iteration, step.Verb.Writer);
        k.GrowTo(step.Blocks.Last + 1);
        var pages = PagesInFile(k, step);
        if (writer.Invalidates(k.Scenario.Backing))
        {
            foreach (var y in k.WriteAndWait(FirstPage(k, step), LastPage(k, step), result))
                yield return y;
            yield return Yield.Preempt; // a store may dirty a page again before the invalidation
            if (k.InvalidateForDirectWrite(pages))
            {
                if (k.Policy.StaleCacheOnCollision(writer, k.Scenario.Backing))
                    yield return Yield.Preempt; // the bio is in flight: a store faults the page back in from the disk
                k.CompleteDirectWrite(pages, stamp);
                yield break;
            }
        }
        else if (writer.ReplacesPagesOn(k.Scenario.Backing))
        {
            foreach (var y in k.WriteAndWait(FirstPage(k, step), LastPage(k, step), result))
                yield return y;
            k.ReplacePages(pages, stamp);
            yield break;
        }
        foreach (var p in pages)
        {
            k.WriteCachedPage(p, stamp);
            yield return Yield.Preempt;
        }
    }

    /// <summary>Collapse or insert: refused where the policy's row says the backing has no such fallocate mode, or
    /// with EINVAL where the range reaches the end of the file (collapse) or starts at or past it (insert); else the
    /// kernel writes back, drops and shifts the pages from the range on (<see cref="Kernel.ShiftRange"/>).</summary>
    private static IEnumerable<Yield> ShiftRange(Kernel k, Step step, int iteration, CallStatus result)
    {
        var shift = step.Verb.Shift!;
        if (k.Policy.FileWriterRefusal(step.Verb, k.Scenario.Backing) is { } errno)
        {
            result.Fail(errno, $"{shift.Call} on {k.Scenario.Backing.Name}");
            return [];
        }
        if (shift.RefusedPastEof(step.Blocks, k.FileBlocks))
        {
            result.Fail(RangeShift.PastEofErrno, $"{shift.Call} of blocks {step.Blocks} on a file of {k.FileBlocks} blocks");
            return [];
        }
        return k.ShiftRange(shift, FirstPage(k, step), step.Blocks.Count * k.PagesPerBlock, result);
    }

    /// <summary>The device writes through the pin into whatever frames it holds — cached, orphaned or copied —
    /// without any CPU page-table access, so nothing is dirtied. A pin without the access the path's device write
    /// needs (an MR without remote-write) rejects the write (<see cref="RefusedErrno"/>).</summary>
    private static IEnumerable<Yield> Dma(Kernel k, Step step, int iteration, CallStatus result)
    {
        var pin = k.Pin!;
        if (!pin.DeviceMayWrite)
        {
            result.Fail(RefusedErrno(k), "the memory region does not allow the device to write");
            yield break;
        }
        var stamp = StampOf(step, iteration, pin.Path.DeviceWriter);
        foreach (var p in k.PagesOf(step.Blocks, inFileOnly: false))
        {
            pin.Frames[p].Write(stamp);
            yield return Yield.Preempt;
        }
    }

    /// <summary>How a device operation the pin's access refuses fails: a remote access error (EACCES), or where the
    /// era's device flushes it instead, EIO (<see cref="Policies.Switch.RefusedDeviceAccessFlushes"/>).</summary>
    private static string RefusedErrno(Kernel k) => k.Policy.Is(Policies.Switch.RefusedDeviceAccessFlushes) ? "EIO" : "EACCES";

    /// <summary>The device reads the pinned frames out to an output file; a pin without the access the path's device
    /// read needs (an MR without remote-read) rejects the read (<see cref="RefusedErrno"/>).</summary>
    private static IEnumerable<Yield> DmaRead(Kernel k, Step step, int iteration, CallStatus result)
    {
        var pin = k.Pin!;
        if (!pin.DeviceMayRead)
        {
            result.Fail(RefusedErrno(k), "the memory region does not allow the device to read");
            yield break;
        }
        var output = k.Output(step.Args.Target!);
        foreach (var p in k.PagesOf(step.Blocks, inFileOnly: false))
        {
            pin.Frames[p].Sectors.CopyTo(output.Page(p));
            yield return Yield.Preempt;
        }
    }

    private static IEnumerable<Yield> Munmap(Kernel k, Step step, int iteration, CallStatus result) => Instant(() =>
    {
        for (var p = 0; p < k.MappingPages; p++)
        {
            if (k.Vma.Ptes[p].Frame is { Owner: FrameOwner.Anon } anon && anon.Referenced)
                anon.Owner = FrameOwner.Orphan;
            k.Vma.Zap(p);
        }
        k.Vma.Mapped = false;
    });

    /// <summary>fork with a child that stores through its view of the mapping and stays alive: on a shared mapping
    /// its stores reach the shared pages; on a private one they stay in the child's copies, and the parent's pages
    /// become COW-shared with it (<see cref="Kernel.Fork"/>).</summary>
    private static IEnumerable<Yield> Fork(Kernel k, Step step, int iteration, CallStatus result)
    {
        if (NotRunnable(k, step, store: true, result))
            yield break;
        k.Fork();
        if (!k.Vma.Shared)
            yield break;
        var stamp = StampOf(step, iteration, step.Verb.Writer);
        foreach (var p in PagesInFile(k, step))
        {
            k.Fault(p, write: true).Write(stamp);
            yield return Yield.Preempt;
        }
    }
}
