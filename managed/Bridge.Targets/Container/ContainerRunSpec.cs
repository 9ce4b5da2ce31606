namespace Bridge.Targets.Container;

/// <summary>A host directory bound into the container at <see cref="ContainerPath"/>.</summary>
public sealed record BindMount(string HostPath, string ContainerPath, bool ReadOnly);

/// <summary>How much privilege to ask the engine for.</summary>
public enum PrivilegeRequest
{
    /// <summary>Try <c>Privileged=true</c>; if the engine or runc refuses it (a capability missing from the host's
    /// bounding set), fall back to <see cref="ExplicitCapabilities"/>. Remembered per engine.</summary>
    Probe,
    /// <summary><c>Privileged=true</c> only; fails where the host's bounding set lacks a capability.</summary>
    Privileged,
    /// <summary>The host's bounding set named in CapAdd, seccomp and AppArmor unconfined, the loop devices and
    /// /dev/kmsg passed in: what the harness needs, and it works on any host.</summary>
    ExplicitCapabilities,
}

/// <summary>What to run in a container and how.</summary>
public sealed record ContainerRunSpec
{
    public required string Image { get; init; }
    /// <summary>argv; no shell is implied (pass "/bin/bash", "-c", "…" for one).</summary>
    public required IReadOnlyList<string> Command { get; init; }
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string WorkingDirectory { get; init; } = "/";
    public IReadOnlyList<BindMount> Mounts { get; init; } = [];
    /// <summary>A host directory bound read-write at <see cref="ScratchMountPoint"/>. Loop devices backed by files
    /// in it that the command leaves attached are detached after the container is removed: containers share the
    /// host's loop devices.</summary>
    public string? ScratchDirectory { get; init; }
    public string ScratchMountPoint { get; init; } = "/scratch";
    /// <summary>From start to exit; then the container is killed and the result says TimedOut.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
    public PrivilegeRequest Privilege { get; init; } = PrivilegeRequest.Probe;
    /// <summary>/dev/shm size: tmpfs and memfd backings live there, and Docker's default is 64 MiB.</summary>
    public long ShmSizeBytes { get; init; } = 1L << 30;
    /// <summary>How many of the last output lines the result keeps.</summary>
    public int LogTailLines { get; init; } = 200;
    /// <summary>Keep the command's standard input open for as long as this process holds the attach connection:
    /// it reads end of file when this process dies, even by SIGKILL (an agent then stops instead of running on).</summary>
    public bool StdinTiedToCaller { get; init; }
    /// <summary>Extra labels; Bridge adds its own (org.bridge.*).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <exception cref="ArgumentException">A field is malformed; the message names it and the expected form.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Image))
            throw new ArgumentException("Image is empty (expected a reference such as bridge-test:0123456789ab)", nameof(Image));
        if (Command.Count == 0 || string.IsNullOrEmpty(Command[0]))
            throw new ArgumentException("Command is empty (expected argv, e.g. [\"/bin/bash\", \"-c\", \"make test\"])", nameof(Command));
        RequireAbsolute(WorkingDirectory, nameof(WorkingDirectory));
        foreach (var (key, _) in Environment)
            if (key.Length == 0 || key.Contains('='))
                throw new ArgumentException($"environment variable name '{key}' is invalid (expected a non-empty name without '=')", nameof(Environment));
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mount in Mounts)
        {
            RequireAbsolute(mount.HostPath, $"{nameof(Mounts)}.{nameof(BindMount.HostPath)}");
            RequireAbsolute(mount.ContainerPath, $"{nameof(Mounts)}.{nameof(BindMount.ContainerPath)}");
            if (!Path.Exists(mount.HostPath))
                throw new ArgumentException($"bind mount source '{mount.HostPath}' does not exist on the host", nameof(Mounts));
            if (mount.ContainerPath.TrimEnd('/').Length == 0)
                throw new ArgumentException($"bind mount of '{mount.HostPath}' targets '/', which would hide the image (expected a directory such as /src)", nameof(Mounts));
            if (!targets.Add(mount.ContainerPath.TrimEnd('/')))
                throw new ArgumentException($"two bind mounts target '{mount.ContainerPath.TrimEnd('/')}'", nameof(Mounts));
        }
        if (ScratchDirectory is not null)
        {
            RequireAbsolute(ScratchDirectory, nameof(ScratchDirectory));
            RequireAbsolute(ScratchMountPoint, nameof(ScratchMountPoint));
            if (!Directory.Exists(ScratchDirectory))
                throw new ArgumentException($"scratch directory '{ScratchDirectory}' does not exist (create it first; it is bound read-write at {ScratchMountPoint})", nameof(ScratchDirectory));
            if (!targets.Add(ScratchMountPoint.TrimEnd('/')))
                throw new ArgumentException($"a bind mount already targets the scratch mount point '{ScratchMountPoint}'", nameof(ScratchMountPoint));
        }
        if (Timeout <= TimeSpan.Zero)
            throw new ArgumentException($"Timeout {Timeout} must be positive", nameof(Timeout));
        if (ShmSizeBytes < 0)
            throw new ArgumentException($"ShmSizeBytes {ShmSizeBytes} must not be negative (0 = the engine's default)", nameof(ShmSizeBytes));
        if (LogTailLines < 0)
            throw new ArgumentException($"LogTailLines {LogTailLines} must not be negative", nameof(LogTailLines));
    }

    private static void RequireAbsolute(string path, string name)
    {
        if (string.IsNullOrEmpty(path) || !Path.IsPathFullyQualified(path))
            throw new ArgumentException($"{name} '{path}' must be an absolute path", name);
    }
}
