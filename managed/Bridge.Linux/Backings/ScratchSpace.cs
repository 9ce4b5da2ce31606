using Bridge.Linux.Interop;

namespace Bridge.Linux.Backings;

/// <summary>
/// The scratch area of one run: a directory under /var/tmp (or $BRIDGE_SCRATCH) holding filesystem images,
/// their mount points and per-scenario directories. Loop-mounted filesystems are made once per run and shared by
/// its scenarios. Dispose unmounts everything (the loop devices detach themselves: LO_FLAGS_AUTOCLEAR) and
/// deletes the directory, whatever state the run ended in.
/// </summary>
public sealed class ScratchSpace : IDisposable
{
    private readonly Dictionary<string, string> _mounted = [];
    private readonly List<string> _mountPoints = [];
    private readonly Lock _lock = new();
    private readonly Queue<string> _disks;
    private int _next;

    public ScratchSpace(string? root = null)
    {
        var parent = root ?? Environment.GetEnvironmentVariable("BRIDGE_SCRATCH") ?? "/var/tmp";
        SweepDeadOwners(parent);
        // Inside a VM the scratch filesystems go on virtio disks made for the run ($BRIDGE_DISKS, set by the guest's
        // init), one per filesystem type, instead of loop images.
        _disks = new Queue<string>((Environment.GetEnvironmentVariable("BRIDGE_DISKS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Root = Path.Combine(parent, $"bridge-{Environment.ProcessId}-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(Root);
    }

    /// <summary>A run killed with SIGKILL (or a host that lost power) cannot clean up after itself: the next run
    /// unmounts and deletes the scratch areas whose owning process is gone (their loop devices then detach).</summary>
    private static void SweepDeadOwners(string parent)
    {
        if (!Directory.Exists(parent))
            return;
        foreach (var dir in Directory.GetDirectories(parent, "bridge-*-*"))
        {
            var pid = Path.GetFileName(dir).Split('-')[1];
            if (!int.TryParse(pid, out var owner) || Directory.Exists($"/proc/{owner}"))
                continue;
            try
            {
                foreach (var mount in Mounts.Under(dir + "/").OrderByDescending(m => m.Length))
                    Mounts.Unmount(mount);
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SysException)
            {
                // Someone else's (another user's, a read-only mount): leave it.
            }
        }
    }

    public string Root { get; }

    /// <summary>A new empty directory for one scenario on the given filesystem root.</summary>
    public string NewDirectory(string under)
    {
        var dir = Path.Combine(under, $"s{Interlocked.Increment(ref _next)}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Mounts (once per run) a fresh <paramref name="fsType"/> filesystem — on the next scratch disk when
    /// the run was given some, else on a loop device over a sparse image — and returns its mount point.</summary>
    public string Filesystem(string fsType, string mkfs, IReadOnlyList<string> mkfsArgs, long imageSize)
    {
        lock (_lock)
        {
            if (_mounted.TryGetValue(fsType, out var existing))
                return existing;
            var mountPoint = Path.Combine(Root, fsType);
            Directory.CreateDirectory(mountPoint);
            if (_disks.TryDequeue(out var disk))
            {
                RunTool(mkfs, [.. mkfsArgs, disk]);
                Mounts.Mount(disk, mountPoint, fsType);
            }
            else
            {
                var image = Path.Combine(Root, $"{fsType}.img");
                using (var f = File.Create(image))
                    f.SetLength(imageSize);
                RunTool(mkfs, [.. mkfsArgs, image]);
                var (device, path) = LoopDevice.Attach(image);
                using (device)
                    Mounts.Mount(path, mountPoint, fsType);
            }
            _mountPoints.Add(mountPoint);
            return _mounted[fsType] = mountPoint;
        }
    }

    /// <summary>Mounts a private filesystem that needs no device (tmpfs, hugetlbfs) once per run.</summary>
    public string VirtualFilesystem(string fsType, string? options)
    {
        lock (_lock)
        {
            if (_mounted.TryGetValue(fsType, out var existing))
                return existing;
            var mountPoint = Path.Combine(Root, fsType);
            Directory.CreateDirectory(mountPoint);
            Mounts.Mount(fsType, mountPoint, fsType, options);
            _mountPoints.Add(mountPoint);
            return _mounted[fsType] = mountPoint;
        }
    }

    private static void RunTool(string tool, IReadOnlyList<string> args)
    {
        try
        {
            Tool.Run(tool, [.. args]);
        }
        catch (ToolException e)
        {
            throw new BackingUnavailableException(e.Message);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var mp in Enumerable.Reverse(_mountPoints))
                Mounts.Unmount(mp);
            _mountPoints.Clear();
            _mounted.Clear();
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A lazily detached mount may still hold a directory for a moment; it is empty and harmless.
        }
    }
}

/// <summary>The backing cannot be had here (not root, tool missing, no huge pages); the scenario is skipped with this reason.</summary>
public sealed class BackingUnavailableException(string reason) : Exception(reason);
