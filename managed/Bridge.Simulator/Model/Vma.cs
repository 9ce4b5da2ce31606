namespace Bridge.Simulator.Model;

/// <summary>One page-table entry: which frame the address maps, and whether a store may go straight to it.</summary>
public struct Pte
{
    public Frame? Frame;
    public bool Writable;
}

/// <summary>The scenario's mapping (one VMA): shared or private, file-backed or anonymous, its PTEs.</summary>
public sealed class Vma(int pages, bool shared, bool anonymous)
{
    public Pte[] Ptes { get; } = new Pte[pages];
    public bool Shared { get; } = shared;
    public bool Anonymous { get; } = anonymous;

    /// <summary>VM_WRITE: cleared by mprotect(PROT_READ).</summary>
    public bool VmWrite { get; set; } = true;

    public bool Mapped { get; set; } = true;

    public void Map(int page, Frame frame, bool writable)
    {
        ref var pte = ref Ptes[page];
        if (pte.Frame != frame)
        {
            if (pte.Frame is { } old)
                old.MapCount--;
            frame.MapCount++;
            pte.Frame = frame;
        }
        pte.Writable = writable;
    }

    public void Zap(int page)
    {
        ref var pte = ref Ptes[page];
        if (pte.Frame is { } old)
            old.MapCount--;
        pte = default;
    }

    /// <summary>page_mkclean / mprotect: every PTE that maps <paramref name="frame"/> loses write permission.</summary>
    public void WriteProtect(Frame frame)
    {
        if (frame.MapCount == 0)
            return;
        for (var p = 0; p < Ptes.Length; p++)
            if (Ptes[p].Frame == frame)
                Ptes[p].Writable = false;
    }
}
