using Bridge.Core.Exploration;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Model;

/// <summary>
/// The modelled machine for one scenario run: the file (page cache and disk), the mapping, the long-term pin, the
/// output files and the kernel log. The mechanics — faults, COW, writeback, invalidation, truncation — are the
/// same for every era; wherever kernels differ, the code asks <see cref="Policy"/>.
/// </summary>
public sealed partial class Kernel
{
    public Kernel(Scenario scenario, Policy policy, SplitMix64 random)
    {
        Scenario = scenario;
        Policy = policy;
        Random = random;
        Memory = MemoryClasses.Of(scenario);
        PagesPerBlock = scenario.Geometry.BlockSize / Frame.Size;
        var pages = (int)(scenario.Geometry.FileSize / Frame.Size);
        var initial = scenario.Init == InitialFill.Data ? Stamp.Initial : Stamp.Hole;
        Vma = new Vma(pages, scenario.Map == MapKind.Shared, !scenario.Backing.HasFile);
        if (scenario.Backing.HasFile)
            File = new FileInode(scenario.Backing, scenario.Geometry.FileSize, scenario.MaxFileBlocks * PagesPerBlock, initial);
        else
            for (var p = 0; p < pages; p++)
                Vma.Map(p, new Frame(FrameOwner.Anon, p, initial), writable: true);
    }

    public Scenario Scenario { get; }
    public Policy Policy { get; }
    public SplitMix64 Random { get; }
    public MemoryClass Memory { get; }
    public int PagesPerBlock { get; }

    /// <summary>The scenario's file; null for anonymous memory.</summary>
    public FileInode? File { get; }

    public Vma Vma { get; }
    public LongTermPin? Pin { get; set; }
    public Dictionary<string, OutputFile> Outputs { get; } = [];
    public List<string> Log { get; } = [];

    public bool PrivateFileMapping => File is not null && !Vma.Shared;

    /// <summary>Pages of the mapping (and of the file at its initial size).</summary>
    public int MappingPages => Vma.Ptes.Length;

    public int FirstPage(int block) => block * PagesPerBlock;

    /// <summary>The pages of the blocks, in order; with <paramref name="inFileOnly"/>, only blocks inside the file.</summary>
    public List<int> PagesOf(BlockSet blocks, bool inFileOnly)
    {
        var pages = new List<int>(blocks.Count * PagesPerBlock);
        foreach (var b in blocks.Blocks)
        {
            if (inFileOnly && !InFile(b))
                continue;
            for (var p = FirstPage(b); p < FirstPage(b + 1); p++)
                pages.Add(p);
        }
        return pages;
    }

    /// <summary>Blocks the file has now (after truncates); anonymous memory always has them all.</summary>
    public int FileBlocks => File is null ? Scenario.Geometry.BlockCount : File.SizePages / PagesPerBlock;

    /// <summary>Whether the whole block lies inside the file (always, for anonymous memory).</summary>
    public bool InFile(int block) => File is null || (block + 1) * PagesPerBlock <= File.SizePages;

    public OutputFile Output(string name) =>
        Outputs.TryGetValue(name, out var file) ? file : Outputs[name] = new OutputFile(MappingPages);
}
