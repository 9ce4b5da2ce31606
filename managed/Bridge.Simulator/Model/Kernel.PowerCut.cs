namespace Bridge.Simulator.Model;

public sealed partial class Kernel
{
    /// <summary>
    /// A power cut: memory is gone — the page cache (dirty pages never written back included), the mapping and its
    /// private copies, the pin and its device. Only what reached the disk remains: this model's disk has no volatile
    /// cache and commits no metadata apart from the data, so what writeback put there (a persistence point's, or the
    /// flusher's) is what the next boot reads; output files hold what O_DIRECT wrote. The reboot starts with an empty
    /// page cache: a read brings the page in from the disk again.
    /// </summary>
    public void PowerCut()
    {
        for (var p = 0; p < MappingPages; p++)
            Vma.Zap(p);
        Vma.Mapped = false;
        Pin = null;
        if (File is not { } file)
            return;
        foreach (var frame in file.Cache.OfType<Frame>())
        {
            frame.Dirty = false;
            frame.Writeback = false;
            frame.Owner = FrameOwner.Freed;
        }
        Array.Clear(file.Cache);
    }
}
