using Bridge.Linux.Interop;

namespace Bridge.Linux.Backings;

/// <summary>One scenario's memory: the data file (none for anonymous memory), how to map it, and a directory
/// on an O_DIRECT-capable filesystem for the source and output files.</summary>
/// <param name="sibling">Makes a new file on the data file's filesystem (same superblock: copy_file_range and
/// FICLONERANGE need it), by name; null for anonymous memory.</param>
/// <param name="directories">The scenario's own directories (its data, source and output files), deleted with
/// everything in them when the instance is disposed: a run's scenarios share its scratch filesystems, and each one's
/// files left behind filled them (a 5-minute host exploration stopped at its 1313th with ENOSPC).</param>
public sealed class BackingInstance(FileDescriptor? data, string? reopenPath, int mapFlags, string auxDirectory, string? fsType, Action? release = null,
    Func<string, (FileDescriptor? Fd, SysResult Result)>? sibling = null, IReadOnlyList<string>? directories = null) : IDisposable
{
    /// <summary>A new file beside the data file, on its filesystem (a memfd beside a memfd).</summary>
    public FileDescriptor Sibling(string name)
    {
        var make = sibling ?? throw new InvalidOperationException("this backing has no data file");
        var (fd, r) = make(name);
        return fd ?? throw new SysException($"create {name} beside the data file", r.Errno);
    }

    /// <summary>The data file, opened read-write without O_DIRECT; null for anonymous memory.</summary>
    public FileDescriptor? Data { get; } = data;

    /// <summary>A path that opens the same file again (for the O_DIRECT descriptor); /proc/self/fd/N for a memfd.</summary>
    public string? ReopenPath { get; } = reopenPath;

    /// <summary>MAP_ANONYMOUS / MAP_HUGETLB and the like; MAP_SHARED or MAP_PRIVATE is added from the scenario.</summary>
    public int MapFlags { get; } = mapFlags;

    public string AuxDirectory { get; } = auxDirectory;
    public string? FsType { get; } = fsType;

    public void Dispose()
    {
        Data?.Dispose();
        release?.Invoke();
        foreach (var directory in directories ?? [])
            ScratchSpace.DeleteQuietly(directory);
    }
}
