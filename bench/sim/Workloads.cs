using System.Text;
using Bridge.Core.Scenarios;

namespace Bridge.Bench.Sim;

internal static class Args
{
    public static string Scenario(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Bridge.sln")))
                return Path.Combine(dir.FullName, "scenarios", relative);
        throw new InvalidOperationException("Bridge.sln not found");
    }
}

internal static class Workloads
{
    /// <summary>A long scenario of data steps on a 64 KiB ext4 file with a writable pin: the simulator's hot path.</summary>
    public static string DataSteps(int count)
    {
        var text = new StringBuilder("backing ext4\nmap shared\nfile size=64K\npin rdma-mr blocks=0-3\n");
        string[] cycle = ["store gen={0} blocks=4-7", "dma gen={0} blocks=0-3", "fsync", "odirect-read gen={0} blocks=8-9", "msync blocks=4-9", "dma-read blocks=0-1"];
        for (var i = 0; i < count; i++)
            text.AppendLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, cycle[i % cycle.Length], i + 1));
        return text.Append("check\n").ToString();
    }
}

/// <summary>
/// The raw loop: per step, the same verb-table lookup and the same page-sized copies the model makes (stamps
/// into a page for every block a step touches, pages to a "disk" for a persistence step), with no model around them.
/// </summary>
internal static class Peer
{
    private readonly record struct Cell(uint Gen, uint Iteration, byte Writer, int Step);

    private static readonly Dictionary<string, int> Table = Verbs.All.Select((v, i) => (v.Keyword, i)).ToDictionary(x => x.Keyword, x => x.i);

    public static int Run(Scenario scenario)
    {
        const int sectors = 8;
        var pages = (int)(scenario.Geometry.FileSize / 4096);
        var memory = new Cell[pages * sectors];
        var disk = new Cell[pages * sectors];
        var dirty = new bool[pages];
        var sink = 0;
        foreach (var step in scenario.AllSteps())
        {
            sink += Table[step.Keyword];
            if (step.Args.Blocks is { } blocks)
            {
                var cell = new Cell(step.Args.Gen ?? 0, 0, 2, step.Index);
                foreach (var b in blocks.Blocks)
                {
                    memory.AsSpan(b * sectors, sectors).Fill(cell);
                    dirty[b] = true;
                }
            }
            if (step.Effect == Effect.Persist)
            {
                for (var p = 0; p < pages; p++)
                {
                    if (!dirty[p])
                        continue;
                    memory.AsSpan(p * sectors, sectors).CopyTo(disk.AsSpan(p * sectors));
                    dirty[p] = false;
                }
            }
        }
        return sink >= 0 ? scenario.StepCount : 0;
    }
}
