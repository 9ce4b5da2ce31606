namespace Bridge.Targets.Container;

/// <summary>Where a private dockerd keeps its state. The run directory holds what must not survive a reboot
/// (socket, pidfile, exec root with containerd's socket, log); the data root holds images and must be on a real
/// disk filesystem (overlay2 cannot stack on tmpfs-backed upper dirs everywhere, and images are big).</summary>
public sealed record PrivateEngineLayout
{
    /// <summary>/run/bridge-docker and /var/lib/bridge-docker: apart from any system engine's /run/docker and
    /// /var/lib/docker, so a private engine never touches a system engine's state.</summary>
    public static PrivateEngineLayout Default { get; } = new("/run/bridge-docker", "/var/lib/bridge-docker");

    public PrivateEngineLayout(string runDirectory, string dataRoot)
    {
        RunDirectory = Check(runDirectory, nameof(runDirectory));
        DataRoot = Check(dataRoot, nameof(dataRoot));
        // containerd's socket lives under the exec root; a unix socket path must fit sun_path (108 bytes).
        if (System.Text.Encoding.UTF8.GetByteCount(ContainerdSocket) >= 108)
            throw new ArgumentException($"run directory '{runDirectory}' is too long: '{ContainerdSocket}' must stay under 108 bytes (use a short path such as /run/bridge-docker)", nameof(runDirectory));
    }

    public string RunDirectory { get; }
    public string DataRoot { get; }
    public string Socket => Path.Combine(RunDirectory, "docker.sock");
    public string ExecRoot => Path.Combine(RunDirectory, "exec");
    public string PidFile => Path.Combine(RunDirectory, "dockerd.pid");
    public string LogFile => Path.Combine(RunDirectory, "dockerd.log");
    public string LockFile => Path.Combine(RunDirectory, "engine.lock");
    public string ContainerdSocket => Path.Combine(ExecRoot, "containerd", "containerd.sock");
    public Uri Endpoint => new("unix://" + Socket);
    /// <summary>The cgroup (in every hierarchy) its containers go under: the run directory's name, e.g. bridge-docker.</summary>
    public string CgroupParent => Path.GetFileName(RunDirectory);

    private static string Check(string path, string name)
    {
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path))
            throw new ArgumentException($"{name} '{path}' must be an absolute path such as /run/bridge-docker", name);
        var full = Path.GetFullPath(path).TrimEnd('/');
        if (full.Length == 0 || full.Count(c => c == '/') < 2)
            throw new ArgumentException($"{name} '{path}' must be a directory at least two levels deep (e.g. /var/lib/bridge-docker), not a top-level directory", name);
        return full;
    }
}
