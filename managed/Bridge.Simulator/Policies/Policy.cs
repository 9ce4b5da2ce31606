using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Policies;

/// <summary>The answer of a policy's pin table for one pin.</summary>
public readonly record struct PinDecision(string? Errno, bool FaultsFirst)
{
    public bool Allowed => Errno is null;
}

/// <summary>
/// A kernel policy: a named table of rules. The simulator asks it at every decision point where kernels differ;
/// everything else (page faults, COW, writeback mechanics) is the same model for every era. Construction checks
/// that the table is complete — one pin row per path × memory class × access, one row per switch and per
/// unpin path — so a missing row is an error at load time, not a silent default.
/// </summary>
public sealed class Policy
{
    private readonly Dictionary<(PinPathInfo, MemoryClass, bool), PinRow> _pins = [];
    private readonly Dictionary<Switch, bool> _switches = [];
    private readonly Dictionary<PinPathInfo, bool> _unpinDirties = [];
    private readonly Dictionary<string, BufferlessRow> _bufferless = [];
    private readonly Dictionary<(VerbInfo, BackingInfo), FileWriterRow> _fileWriters = [];

    public Policy(string name, string description, IReadOnlyList<PolicyRow> rows)
    {
        Name = name;
        Description = description;
        Rows = rows;
        foreach (var row in rows)
        {
            var fresh = row switch
            {
                PinRow p => _pins.TryAdd((p.Path, p.Memory, p.Writable), p),
                SwitchRow s => _switches.TryAdd(s.Switch, s.On),
                UnpinRow u => _unpinDirties.TryAdd(u.Path, u.MarksDirty),
                BufferlessRow b => _bufferless.TryAdd(b.FsType, b),
                FileWriterRow f => _fileWriters.TryAdd((f.Verb, f.Backing), f),
                _ => throw new ArgumentException($"unknown row type {row.GetType().Name}"),
            };
            if (!fresh)
                throw new ArgumentException($"policy {name}: two rows for '{row.Key}'");
        }
        var missing = RequiredKeys().Except(rows.Select(r => r.Key)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"policy {name}: no row for {string.Join("; ", missing)}");
    }

    public string Name { get; }
    public string Description { get; }
    public IReadOnlyList<PolicyRow> Rows { get; }

    public PinDecision Pin(PinPathInfo path, MemoryClass memory, bool writable)
    {
        var row = _pins[(path, memory, writable)];
        return new PinDecision(row.Errno, row.FaultsFirst);
    }

    public bool Is(Switch s) => _switches[s];

    /// <summary>Where the writer replaces the page by invalidating it (O_DIRECT, <see cref="FileWriter.Invalidates"/>),
    /// a page a store or an O_DIRECT read into the mapping dirtied again between the write-back and the invalidation
    /// after the write cannot be dropped: the kernel keeps that page (the page cache may now differ from the disk), logs
    /// <see cref="FileWriter.StaleCacheLog"/> and records EIO in the mapping's error sequence, which the next fsync
    /// returns (v6.1 fs/iomap/direct-io.c iomap_dio_complete → invalidate_inode_pages2_range → dio_warn_stale_pagecache;
    /// v6.6+ mm/filemap.c kiocb_invalidate_post_direct_write). Truncating the range (a reflink, clone, zero-range)
    /// cannot fail so, nor, where the era keeps them out (<see cref="Switch.LockedDirectWriteKeepsStoresOut"/>), can a
    /// filesystem that locks the range while the write is in flight (<see cref="BackingInfo.LocksDirectWriteRange"/>).</summary>
    public bool StaleCacheOnCollision(FileWriter writer, BackingInfo backing) =>
        writer.Invalidates(backing) && !(backing.LocksDirectWriteRange && Is(Switch.LockedDirectWriteKeepsStoresOut));

    /// <summary>The errno a file writer's call returns on the backing, or null when it works.</summary>
    public string? FileWriterRefusal(VerbInfo verb, BackingInfo backing) => _fileWriters[(verb, backing)].Errno;

    public bool UnpinMarksDirty(PinPathInfo path) => _unpinDirties[path];

    /// <summary>The writeback action for a buffer-less dirty page; filesystems without a row write it back.</summary>
    public BufferlessRow? Bufferless(string? fsType) => fsType is not null && _bufferless.TryGetValue(fsType, out var row) ? row : null;

    /// <summary>A copy with one row replaced (matched by key): how tests prove that every row changes an outcome.</summary>
    public Policy With(PolicyRow replacement) =>
        new($"{Name}~{replacement.Key}={replacement.Value}", Description, Rows.Select(r => r.Key == replacement.Key ? replacement : r).ToList());

    public override string ToString() => Name;

    /// <summary>Pin paths whose access can be read-only (rdma-mr: remote-read only); io_uring always pins for writing.</summary>
    public static IEnumerable<(PinPathInfo Path, bool Writable)> PinShapes() =>
        PinPathTable.All.SelectMany(p => p.AccessFlags.Values.Any(a => !PinPathInfo.IsWritable(a))
            ? new[] { (p, true), (p, false) }
            : [(p, true)]);

    private static IEnumerable<string> RequiredKeys() =>
        PinShapes().SelectMany(s => Enum.GetValues<MemoryClass>().Select(m => new PinRow(s.Path, m, s.Writable, null, false, "").Key))
            .Concat(Enum.GetValues<Switch>().Select(Switches.Name))
            .Concat(PinPathTable.All.Select(p => new UnpinRow(p, false, "").Key))
            .Concat(FileWriterRules.Verbs.SelectMany(v => FileWriterRules.Backings.Select(b => new FileWriterRow(v, b, null, "").Key)));
}
