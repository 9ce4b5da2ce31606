namespace Bridge.Simulator.Model;

public sealed partial class Kernel
{
    /// <summary>
    /// fork() with a child that stays alive (mm/memory.c copy_page_range): every private anonymous page the parent
    /// has becomes COW-shared with the child — write-protected, copied on the parent's next store — except a page a
    /// device holds pinned when the policy gives the child its own copy instead (page_needs_cow_for_dma). Shared
    /// mappings are shared with the child as they are.
    /// </summary>
    public void Fork()
    {
        if (Vma.Shared)
            return;
        for (var p = 0; p < Vma.Ptes.Length; p++)
            if (Vma.Ptes[p].Frame is { Owner: FrameOwner.Anon } frame)
                ShareWithChild(ref Vma.Ptes[p], frame);
    }

    private void ShareWithChild(ref Pte pte, Frame frame)
    {
        if (frame.LongPins > 0 && Policy.Is(Policies.Switch.ForkCopiesPinnedPages))
            return;
        frame.CowShared = true;
        pte.Writable = false;
    }
}
