using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Model;

public sealed partial class Kernel
{
    /// <summary>
    /// A long-term pin (io_uring_register_buffers / ibv_reg_mr). Every era: FOLL_WRITE on a VMA without VM_WRITE is
    /// -EFAULT (mm/gup.c check_vma_flags; RDMA passes FOLL_FORCE only for read-only MRs), and so is a range past
    /// the end of the file (the fault is SIGBUS; the pages before it were faulted in). Then the policy's pin table
    /// decides; a refusal that comes after GUP (io_uring's own check before 6.5) leaves the pages faulted in for
    /// writing, hence dirty.
    /// </summary>
    public void TakePin(PinPathInfo path, PinAccess access, BlockSet blocks, CallStatus result)
    {
        // The access flags are checked before the range is looked at (ib_uverbs_reg_mr: ib_check_mr_access first).
        if (path.RefusedAccess(access) is { } refused)
        {
            result.Fail("EINVAL", refused);
            return;
        }
        var writable = PinPathInfo.IsWritable(access);
        if (writable && !Vma.VmWrite)
        {
            result.Fail("EFAULT", "FOLL_WRITE on a read-only VMA");
            return;
        }
        var decision = Policy.Pin(path, Memory, writable);
        if (blocks.Blocks.Any(b => !InFile(b)))
        {
            // GUP walks the range in order: the pages before the first one past EOF are faulted in (a write pin of a
            // private mapping copies them, a read-only one may unshare them) before the fault past EOF fails the
            // call — unless the policy refuses the mapping before GUP runs (check_vma_flags). Measured on 6.18
            // (ext4, xfs, btrfs, tmpfs; uring-register of blocks 1-2 of a private mapping truncated to 2 blocks):
            // EFAULT, and the mapping kept block 1's copy after a write(2) changed the file (found by pinbridge
            // explore, seed 3).
            if (decision.Allowed || decision.FaultsFirst)
                foreach (var page in PagesOf(blocks, inFileOnly: true))
                    GupPage(page, writable, longTerm: true);
            result.Fail("EFAULT", "the range reaches past the end of the file");
            return;
        }
        if (!decision.Allowed && !decision.FaultsFirst)
        {
            result.Fail(decision.Errno!, $"{Policy.Name} refuses {path.Name} on {Memory}");
            return;
        }
        var frames = PagesOf(blocks, inFileOnly: false).ToDictionary(p => p, p => GupPage(p, writable, longTerm: true));
        if (!decision.Allowed)
        {
            result.Fail(decision.Errno!, $"{Policy.Name} refuses {path.Name} on {Memory} after GUP faulted the pages in");
            return;
        }
        foreach (var frame in frames.Values)
            frame.LongPins++;
        Pin = new LongTermPin(path, access, frames);
    }

    /// <summary>Releases the pin; a writable RDMA MR marks its pages dirty on the way out (per policy).</summary>
    public void ReleasePin()
    {
        var pin = Pin!;
        var dirty = pin.Writable && Policy.UnpinMarksDirty(pin.Path);
        foreach (var frame in pin.Frames.Values)
        {
            if (dirty)
                SetPageDirty(frame);
            frame.LongPins--;
        }
        Pin = null;
    }
}
