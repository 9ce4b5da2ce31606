namespace Bridge.Simulator.Model;

/// <summary>A file the copy verbs (odirect-write, uring-write, dma-read) write into with O_DIRECT: sparse, the size
/// of the scenario's file, read back through O_DIRECT and buffered I/O alike.</summary>
public sealed class OutputFile(int pages)
{
    public Stamp[] Sectors { get; } = CreateHoles(pages);

    public Span<Stamp> Page(int page) => Sectors.AsSpan(page * Frame.SectorsPerPage, Frame.SectorsPerPage);

    private static Stamp[] CreateHoles(int pages)
    {
        var sectors = new Stamp[pages * Frame.SectorsPerPage];
        Array.Fill(sectors, Stamp.Hole);
        return sectors;
    }
}
