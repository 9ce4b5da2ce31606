using Bridge.Linux.Host;
using Bridge.Linux.Interop;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Backings;

/// <summary>
/// The scratch area of one run: a directory under /var/tmp (or $BRIDGE_SCRATCH) holding filesystem images,
/// their mount points and per-scenario directories, and, for tmpfs without root, a directory of its own in /dev/shm.
/// Loop-mounted filesystems are made once per run and shared by its scenarios. Dispose unmounts everything (the loop
/// devices detach themselves: LO_FLAGS_AUTOCLEAR) and deletes the directories, whatever state the run ended in.
/// Each directory is in the run's ledger before it exists, so a killed run's are swept by the next (<see cref="Leftover"/>).
/// </summary>
public sealed class ScratchSpace : IDisposable
{
    private readonly Dictionary<string, string> _mounted = [];
    private readonly Dictionary<string, string> _devices = [];
    private readonly List<string> _mountPoints = [];
    private readonly Lock _lock = new();
    private readonly Queue<string> _disks;
    private readonly List<LedgeredDirectory> _directories = [];
    private readonly string _name = $"bridge-{Environment.ProcessId}-{Guid.NewGuid():N}"[..24];
    private string? _sharedMemory;
    private int _next;

    public ScratchSpace(string? root = null)
    {
        var parent = root ?? Environment.GetEnvironmentVariable("BRIDGE_SCRATCH") ?? "/var/tmp";
        // Inside a VM the scratch filesystems go on virtio disks made for the run ($BRIDGE_DISKS, set by the guest's
        // init), one per filesystem type, instead of loop images.
        _disks = new Queue<string>((Environment.GetEnvironmentVariable("BRIDGE_DISKS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Root = CreateOwnedDirectory(Path.Combine(parent, _name));
    }

    /// <summary>A scratch directory of a killed run: everything mounted in it unmounted (its loop devices then detach
    /// themselves), then the directory deleted.</summary>
    public static LeftoverKind Leftover { get; } = new("scratch", path =>
    {
        foreach (var mount in MountTable.Under(path))
            Mounts.Unmount(mount);
        if (Directory.Exists(path))
            Directory.Delete(path, recursive: true);
        return Task.CompletedTask;
    });

    public string Root { get; }

    /// <summary>This run's own directory on /dev/shm (tmpfs without root, where nothing can be mounted): unique per
    /// run, so concurrent runs never share a file.</summary>
    public string SharedMemory()
    {
        lock (_lock)
            return _sharedMemory ??= CreateOwnedDirectory(Path.Combine("/dev/shm", _name));
    }

    /// <summary>A new empty directory for one scenario on the given filesystem root.</summary>
    public string NewDirectory(string under)
    {
        // After a power cut the filesystem may hold an earlier boot's scenario directories: never reuse one.
        string dir;
        do
            dir = Path.Combine(under, $"s{Interlocked.Increment(ref _next)}");
        while (Directory.Exists(dir));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Deletes a scenario's directory and what it holds; one that cannot be deleted now (a call abandoned in
    /// it may still hold a file) goes with the scratch space at the end of the run.</summary>
    public static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // left for Dispose, which deletes the whole scratch root
        }
    }

    /// <summary>Mounts (once per run) a fresh <paramref name="fsType"/> filesystem — on the next scratch disk when
    /// the run was given some, else on a loop device over a sparse image — and returns its mount point. A filesystem
    /// the kernel has turned read-only since (a btrfs transaction abort, ext4's errors=remount-ro) is unmounted and
    /// made again: one scenario that broke it must not make every later one of the run fail to set up.</summary>
    public string Filesystem(string fsType, string mkfs, IReadOnlyList<string> mkfsArgs, long imageSize)
    {
        lock (_lock)
        {
            string? disk = null;
            if (_mounted.TryGetValue(fsType, out var existing))
            {
                if (!MountTable.IsReadOnly(existing, MountTable.Read()))
                    return existing;
                Mounts.Unmount(existing);
                _mountPoints.Remove(existing);
                _mounted.Remove(fsType);
                _devices.Remove(fsType, out disk);
            }
            var mountPoint = Path.Combine(Root, fsType);
            Directory.CreateDirectory(mountPoint);
            if (disk is not null || _disks.TryDequeue(out disk))
            {
                RunTool(mkfs, [.. mkfsArgs, disk]);
                Mounts.Mount(disk, mountPoint, fsType);
                _devices[fsType] = disk;
            }
            else
            {
                // A new image each time: a read-only one given up above may still be attached until its last user
                // lets go of the lazily detached mount.
                var image = Path.Combine(Root, $"{fsType}-{Interlocked.Increment(ref _next)}.img");
                using (var f = File.Create(image))
                    f.SetLength(imageSize);
                RunTool(mkfs, [.. mkfsArgs, image]);
                AttachAndMount(image, mountPoint, fsType);
            }
            _mountPoints.Add(mountPoint);
            return _mounted[fsType] = mountPoint;
        }
    }

    /// <summary>Loop-mounts the image. Where the kernel or the sandbox refuses the loop device or the mount (an
    /// unprivileged container has no /dev/loop-control: ENOENT; no CAP_SYS_ADMIN: EPERM/EACCES), the backing is
    /// unavailable here and its scenarios are skipped with that reason; any other errno is a failure of the run.</summary>
    private static readonly int[] LoopRefusals = [ENOENT, EACCES, EPERM, ENXIO, ENODEV];

    private static void AttachAndMount(string image, string mountPoint, string fsType)
    {
        try
        {
            var (device, path) = LoopDevice.Attach(image);
            using (device)
                Mounts.Mount(path, mountPoint, fsType);
        }
        catch (SysException e) when (LoopRefusals.Contains(e.Errno))
        {
            throw new BackingUnavailableException($"{fsType} needs a loop-mounted scratch image, and this system refuses it ({e.Message})");
        }
    }

    /// <summary>The scratch disk each filesystem of this run was made on (filesystem type → device), and where it
    /// is mounted: what a boot after a power cut mounts again (<see cref="Remount"/>).</summary>
    public IReadOnlyDictionary<string, string> Devices
    {
        get
        {
            lock (_lock)
                return new Dictionary<string, string>(_devices);
        }
    }

    public string MountPointOf(string fsType)
    {
        lock (_lock)
            return _mounted[fsType];
    }

    /// <summary>After a power cut: mounts the filesystems an earlier boot made on these scratch disks as they are —
    /// no mkfs; the mount replays the journal — at this run's mount points.</summary>
    public void Remount(IReadOnlyDictionary<string, string> devices)
    {
        lock (_lock)
        {
            foreach (var (fsType, device) in devices)
            {
                if (_mounted.ContainsKey(fsType))
                    throw new InvalidOperationException($"{fsType} is already mounted in this run");
                var mountPoint = Path.Combine(Root, fsType);
                Directory.CreateDirectory(mountPoint);
                Mounts.Mount(device, mountPoint, fsType);
                _mountPoints.Add(mountPoint);
                _mounted[fsType] = mountPoint;
                _devices[fsType] = device;
            }
            // A filesystem this boot makes for a later scenario goes on a disk no earlier boot used.
            var left = _disks.Where(d => !devices.Values.Contains(d)).ToList();
            _disks.Clear();
            foreach (var disk in left)
                _disks.Enqueue(disk);
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

    private string CreateOwnedDirectory(string path)
    {
        var directory = LedgeredDirectory.Create(path, Leftover);
        _directories.Add(directory);
        return directory.Path;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var mp in Enumerable.Reverse(_mountPoints))
                Mounts.Unmount(mp);
            _mountPoints.Clear();
            _mounted.Clear();
            // A lazily detached mount may still hold a directory for a moment: then the ledger keeps it for the next run.
            foreach (var directory in _directories)
                directory.Dispose();
            _directories.Clear();
        }
    }
}

/// <summary>The backing cannot be had here (not root, tool missing, no huge pages); the scenario is skipped with this reason.</summary>
public sealed class BackingUnavailableException(string reason) : Exception(reason);
