using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Interop;
using Bridge.Linux.PinPaths;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Execution;

/// <summary>
/// Everything one scenario holds open while it runs: the data file (buffered and O_DIRECT descriptors), the
/// mapping, per-step source files, output files and the pin. Built by <see cref="ScenarioRunner"/>; disposed in
/// reverse order of need: pin, mapping, files, backing.
/// </summary>
public sealed class RunContext : IDisposable
{
    private readonly Dictionary<int, SourceFile> _sources = [];
    private readonly Dictionary<int, FileDescriptor> _siblings = [];
    private (FileDescriptor? Fd, SysResult Result)? _dataDirectWrite;
    private readonly Dictionary<int, UringRing> _rings = [];
    private readonly Dictionary<string, DecodeMemo> _memos = [];
    private AlignedBuffer? _checkBuffer;

    public RunContext(Scenario scenario, ulong runId, BackingInstance backing)
    {
        Scenario = scenario;
        RunId = runId;
        Backing = backing;
    }

    public Scenario Scenario { get; }
    public ulong RunId { get; }
    public BackingInstance Backing { get; }
    public BlockGeometry Geometry => Scenario.Geometry;

    /// <summary>The data file opened O_RDONLY|O_DIRECT, or null with <see cref="DirectUnavailable"/> saying why.</summary>
    public FileDescriptor? DataDirect { get; set; }
    public string? DirectUnavailable { get; set; }

    public MappedRegion? Mapping { get; set; }
    public string? MappingGone { get; set; }
    public bool ReadOnly { get; set; }

    /// <summary>Held shared by each CPU store into the mapping, from its look at <see cref="ReadOnly"/> to its last
    /// byte, and exclusively by a change of the mapping's protection or presence (mprotect, munmap): a store that saw
    /// the mapping writable ends before mprotect(PROT_READ) lands, so a race of the two never faults the harness (a
    /// store that did SIGSEGVed the agent, and every later scenario of its VM boot went unrun). Stores still run
    /// together, and readers of the mapping never wait.</summary>
    public ReaderWriterLockSlim MappingChange { get; } = new(LockRecursionPolicy.NoRecursion);

    public Dictionary<string, OutputDescriptors> Outputs { get; } = [];

    /// <summary>When images may be kept: a scratch directory where each check also writes the data file's O_DIRECT
    /// view, as the check read it (<see cref="KeptImages"/> keeps those of checks with findings).</summary>
    public string? CheckImages { get; set; }

    /// <summary>Children of fork steps, alive until the scenario ends.</summary>
    public List<ForkedChild> Children { get; } = [];

    public IPinnedRange? Pin { get; set; }
    public long PinOffset { get; set; }
    public Writer PinWriter { get; set; }

    /// <summary>Blocks the file has now (after truncates); anonymous memory always has them all.</summary>
    public int FileBlocks => Backing.Data is { } fd ? (int)(fd.Size() / Geometry.BlockSize) : Geometry.BlockCount;

    public SourceFile Source(Step step) => _sources[step.Index];

    /// <summary>The file beside the data file a copy-range or clone step copies from.</summary>
    public FileDescriptor Sibling(Step step) => _siblings[step.Index];

    /// <summary>The data file opened O_RDWR|O_DIRECT for odirect-write-file, opened at its first call; the open's
    /// failure (EINVAL where the filesystem has no O_DIRECT) is that step's result.</summary>
    public (FileDescriptor? Fd, SysResult Result) DataDirectWrite()
    {
        lock (_siblings)
        {
            if (_dataDirectWrite is null || !_dataDirectWrite.Value.Result.Ok)
                _dataDirectWrite = FileDescriptor.Open(Backing.ReopenPath!, O_RDWR | O_DIRECT);
            return _dataDirectWrite.Value;
        }
    }

    /// <summary>The buffer the initial fill writes from and every check reads into, one chunk of blocks at a time.</summary>
    public AlignedBuffer CheckBuffer => _checkBuffer ??= new AlignedBuffer((long)Math.Min(FileViewReader.ChunkBlocksMax, Geometry.BlockCount) * Geometry.BlockSize);

    /// <summary>Decoding of the blocks of one file (the data file, or an output by name), shared by every read path
    /// and every check: all of them carry file id 1, the data file's copies verifying as its blocks.</summary>
    public DecodeMemo Memo(string file) => _memos.TryGetValue(file, out var memo) ? memo
        : _memos[file] = new DecodeMemo(Geometry.BlockCount, Geometry.BlockSize, RunId, 1);

    /// <summary>The io_uring ring of a uring-read/uring-write step, made before the first step runs.</summary>
    public UringRing Ring(Step step) => _rings[step.Index];

    /// <summary>Creates the source and output files every step of the scenario will need, before the first step
    /// runs: races then only touch files that exist. <paramref name="outputsExist"/>: after a power cut, the output
    /// files are the ones the boot before wrote, opened as they are.</summary>
    public void PrepareFiles(CheckPlan plan, bool outputsExist = false)
    {
        foreach (var step in Scenario.AllSteps())
        {
            if (step.Verb.ReadsSourceFile)
                _sources[step.Index] = new SourceFile(Path.Combine(Backing.AuxDirectory, $"src-{step.Index}"), Geometry);
            if (step.Verb.ReadsSiblingFile)
            {
                _siblings[step.Index] = Backing.Sibling($"src-{step.Index}");
                _siblings[step.Index].Truncate(Geometry.FileSize).ThrowIfFailed($"ftruncate src-{step.Index}");
            }
            if (step.Verb.UsesIoUring)
            {
                var (ring, r) = UringRing.Create();
                _rings[step.Index] = ring ?? throw new SysException("io_uring_queue_init", r.Errno);
            }
        }
        foreach (var name in plan.OutputFiles)
            Outputs[name] = new OutputDescriptors(name, Path.Combine(Backing.AuxDirectory, $"out-{name}"), Geometry.FileSize, outputsExist);
    }

    public void Dispose()
    {
        foreach (var child in Children)
            child.Dispose();
        Pin?.Dispose();
        Mapping?.Dispose();
        try
        {
            MappingChange.Dispose();
        }
        catch (SynchronizationLockException)
        {
            // A store abandoned in a hung page fault still holds its read lock; the lock's handles go with the GC.
        }
        DataDirect?.Dispose();
        foreach (var s in _sources.Values)
            s.Dispose();
        foreach (var s in _siblings.Values)
            s.Dispose();
        _dataDirectWrite?.Fd?.Dispose();
        foreach (var r in _rings.Values)
            r.Dispose();
        foreach (var o in Outputs.Values)
            o.Dispose();
        _checkBuffer?.Dispose();
        Backing.Dispose();
        if (CheckImages is { } images)
            ScratchSpace.DeleteQuietly(images); // the kept ones were copied out (KeptImages)
    }
}

/// <summary>Where the "device" and O_DIRECT reads get their data: a file of the data file's size holding, at the
/// blocks a step reads, that step's generation (stamped as the data file's blocks, so the copy verifies where it
/// lands), and the same bytes in page-aligned memory.</summary>
public sealed class SourceFile : IDisposable
{
    public SourceFile(string path, BlockGeometry geometry)
    {
        Direct = FileDescriptor.OpenOrThrow(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT);
        Direct.Truncate(geometry.FileSize).ThrowIfFailed($"ftruncate {path}");
        Buffer = new AlignedBuffer(geometry.FileSize);
    }

    public FileDescriptor Direct { get; }
    public AlignedBuffer Buffer { get; }

    /// <summary>Stamps the blocks with (gen, iteration) in memory and writes them to the file (O_DIRECT, so the
    /// read that follows finds them on disk).</summary>
    public SysResult Prepare(BlockGeometry geometry, BlockSet blocks, in BlockStamp stamp)
    {
        StampBuffer(geometry, blocks, stamp);
        foreach (var (first, count) in blocks.Runs())
        {
            var r = Direct.PWrite(Buffer.Address + (nint)geometry.OffsetOf(first), (long)count * geometry.BlockSize, geometry.OffsetOf(first));
            if (!r.Ok)
                return r;
        }
        return default;
    }

    /// <summary>Stamps the blocks with (gen, iteration) in <see cref="Buffer"/> only.</summary>
    public void StampBuffer(BlockGeometry geometry, BlockSet blocks, in BlockStamp stamp)
    {
        foreach (var b in blocks.Blocks)
            BlockCodec.Stamp(Buffer.Span(geometry.OffsetOf(b), geometry.BlockSize), stamp with { Block = b });
    }

    public void Dispose()
    {
        Direct.Dispose();
        Buffer.Dispose();
    }
}

/// <summary>The descriptors of a file that steps copy the mapping (or the pinned pages) into: sparse at the data
/// file's size, written with O_DIRECT, read back by checks through O_DIRECT and the page cache.</summary>
public sealed class OutputDescriptors : IDisposable
{
    public OutputDescriptors(string name, string path, long size, bool exists = false)
    {
        Name = name;
        // After a power cut the file may be shorter, or gone (its creation was never committed): its blocks were
        // never made durable, so they read as the holes they were.
        Direct = FileDescriptor.OpenOrThrow(path, exists ? O_RDWR | O_CREAT | O_DIRECT : O_RDWR | O_CREAT | O_TRUNC | O_DIRECT);
        if (!exists || Direct.Size() < size)
            Direct.Truncate(size).ThrowIfFailed($"ftruncate {path}");
        Buffered = FileDescriptor.OpenOrThrow(path, O_RDONLY);
    }

    public string Name { get; }
    public FileDescriptor Direct { get; }
    public FileDescriptor Buffered { get; }

    public void Dispose()
    {
        Direct.Dispose();
        Buffered.Dispose();
    }
}
