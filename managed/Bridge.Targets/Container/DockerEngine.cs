using Docker.DotNet;
using Mono.Unix.Native;

namespace Bridge.Targets.Container;

/// <summary>How <see cref="DockerEngine.EngineUpAsync"/> finds or starts an engine.</summary>
public sealed record EngineUpOptions
{
    public PrivateEngineLayout Layout { get; init; } = PrivateEngineLayout.Default;
    /// <summary>Use an engine that already answers (DOCKER_HOST, /var/run/docker.sock) before starting a private one.</summary>
    public bool UseExistingEngine { get; init; } = true;
    /// <summary>How long a starting dockerd may take to answer (20.10 here: about 1 s; first start on a fresh data root a little more).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Progress lines ("starting dockerd …").</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// A connection to a Docker engine: one that already answers (DOCKER_HOST, then /var/run/docker.sock), or Bridge's
/// private dockerd, which <see cref="EngineUpAsync"/> starts where the Debian docker.io package is installed but no
/// engine runs (DESIGN.md §6) and <see cref="EngineDownAsync"/> stops, leaving no process or mount of it behind.
/// </summary>
public sealed class DockerEngine : IDisposable
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Flags that make Debian's dockerd 20.10 start on hosts without iptables or a bridge module: a test
    /// container needs no network (it runs with NetworkMode none).</summary>
    public static IReadOnlyList<string> NetworklessFlags { get; } = ["--iptables=false", "--ip-forward=false", "--bridge=none"];

    private DockerEngine(DockerClient client, Uri endpoint, EngineKind kind, bool startedByThisCall, string serverVersion, string apiVersion)
    {
        Client = client;
        Endpoint = endpoint;
        Kind = kind;
        StartedByThisCall = startedByThisCall;
        ServerVersion = serverVersion;
        ApiVersion = apiVersion;
    }

    public DockerClient Client { get; }
    public Uri Endpoint { get; }
    public EngineKind Kind { get; }
    /// <summary>This call started the private dockerd; whoever holds this engine should stop it when done.</summary>
    public bool StartedByThisCall { get; }
    public string ServerVersion { get; }
    public string ApiVersion { get; }

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} engine at {Endpoint} (Docker {ServerVersion}, API {ApiVersion})";

    public void Dispose() => Client.Dispose();

    /// <summary>Connects to an answering engine, or starts the private dockerd and waits until it answers.
    /// Idempotent: a private engine that already runs is reused (<see cref="StartedByThisCall"/> false).</summary>
    /// <exception cref="EngineUnavailableException">No engine answers and none can be started here; the message says why.</exception>
    public static async Task<DockerEngine> EngineUpAsync(EngineUpOptions? options = null, CancellationToken ct = default)
    {
        options ??= new EngineUpOptions();
        var layout = options.Layout;
        var probed = new List<string>();
        foreach (var endpoint in Candidates(layout, options.UseExistingEngine))
        {
            var (engine, why) = await TryConnectAsync(endpoint, layout, startedByThisCall: false, ct);
            if (engine is not null)
                return engine;
            probed.Add($"{endpoint}: {why}");
        }

        var dockerd = CheckCanStartPrivate(probed);
        if (!OperatingSystem.IsLinux())
            throw new EngineUnavailableException("a private dockerd runs on Linux only");
        Directory.CreateDirectory(layout.RunDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(layout.DataRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var held = await FileLock.AcquireAsync(layout.LockFile, LockTimeout, ct);

        // Another process may have started it while we waited for the lock.
        var (already, _) = await TryConnectAsync(layout.Endpoint, layout, startedByThisCall: false, ct);
        if (already is not null)
            return already;
        if (RunningDockerdPid(layout) is { } hung)
        {
            // Started earlier (by a run that died holding no lock any more) and still not answering: give it the
            // start timeout, then tell the user how to clear it rather than killing something mid-start.
            var late = await WaitAnswerAsync(layout, hung, options.StartTimeout, startedByThisCall: false, ct);
            return late ?? throw new EngineUnavailableException(
                $"private dockerd (pid {hung}) runs but does not answer on {layout.Socket} after {options.StartTimeout.TotalSeconds:0} s; " +
                $"stop it with EngineDownAsync ('bridge engine down'). Log tail ({layout.LogFile}):\n{LogTail(layout)}");
        }

        // A previous private dockerd killed with SIGKILL leaves containerd, shims and its data-root mount behind.
        await RemoveLeftoversAsync(layout);
        options.Log?.Invoke($"starting private dockerd: {dockerd} (data root {layout.DataRoot}, socket {layout.Socket}, log {layout.LogFile})");
        File.WriteAllText(layout.LogFile, "");
        await LaunchDetachedAsync(dockerd, DockerdArguments(layout), layout.LogFile, ct);

        DockerEngine? started = null;
        try
        {
            started = await WaitAnswerAsync(layout, pid: null, options.StartTimeout, startedByThisCall: true, ct);
        }
        finally
        {
            if (started is null)
                await StopAsync(layout, TimeSpan.FromSeconds(10));
        }
        return started ?? throw new EngineUnavailableException(
            $"private dockerd did not answer on {layout.Socket} within {options.StartTimeout.TotalSeconds:0} s and was stopped. " +
            $"Log tail ({layout.LogFile}):\n{LogTail(layout)}");
    }

    /// <summary>Stops the private dockerd of <paramref name="layout"/> (SIGTERM, <paramref name="grace"/>, SIGKILL),
    /// then ends whatever of it outlived it (containerd, shims) and detaches its leftover mounts. Idempotent; never
    /// touches an external engine.</summary>
    public static async Task<EngineDownReport> EngineDownAsync(PrivateEngineLayout? layout = null, TimeSpan? grace = null, CancellationToken ct = default)
    {
        layout ??= PrivateEngineLayout.Default;
        if (!Directory.Exists(layout.RunDirectory) && RunningDockerdPid(layout) is null)
            return new EngineDownReport(false, null, false, [], []);
        using var held = await FileLock.AcquireAsync(layout.LockFile, LockTimeout, ct);
        // dockerd's own shutdown waits up to 15 s for containers to stop; give it that and a little more.
        return await StopAsync(layout, grace ?? TimeSpan.FromSeconds(20));
    }

    /// <summary>Which engine answers, and whether the private dockerd runs.</summary>
    public static async Task<EngineStatus> StatusAsync(PrivateEngineLayout? layout = null, CancellationToken ct = default)
    {
        layout ??= PrivateEngineLayout.Default;
        var probed = new List<string>();
        var pid = RunningDockerdPid(layout);
        foreach (var endpoint in Candidates(layout, useExisting: true))
        {
            var (engine, why) = await TryConnectAsync(endpoint, layout, startedByThisCall: false, ct);
            if (engine is null)
            {
                probed.Add($"{endpoint}: {why}");
                continue;
            }
            using (engine)
            {
                probed.Add($"{endpoint}: answers");
                return new EngineStatus(true, engine.Endpoint, engine.Kind, engine.ServerVersion, engine.ApiVersion, pid, probed);
            }
        }
        return new EngineStatus(false, null, null, null, null, pid, probed);
    }

    /// <summary>The pid of the private dockerd of <paramref name="layout"/>, proven by its command line naming the
    /// layout's pidfile (so a recycled pid in a stale pidfile is never mistaken for it).</summary>
    public static int? RunningDockerdPid(PrivateEngineLayout layout)
    {
        if (File.Exists(layout.PidFile) && int.TryParse(File.ReadAllText(layout.PidFile).Trim(), out var pid) && IsPrivateDockerd(pid, layout))
            return pid;
        // The pidfile can be gone (deleted by hand) while dockerd still runs.
        foreach (var candidate in HostProcesses.AllPids())
            if (IsPrivateDockerd(candidate, layout))
                return candidate;
        return null;
    }

    internal static IReadOnlyList<string> DockerdArguments(PrivateEngineLayout layout) =>
    [
        .. NetworklessFlags,
        "--data-root", layout.DataRoot,
        "--exec-root", layout.ExecRoot,
        "--pidfile", layout.PidFile,
        "--host", "unix://" + layout.Socket,
        // Its containers' processes go under a cgroup of its own, so a stop after a crash can find and end them.
        "--cgroup-parent", "/" + layout.CgroupParent,
    ];

    private static bool IsPrivateDockerd(int pid, PrivateEngineLayout layout)
    {
        if (!HostProcesses.IsAlive(pid))
            return false;
        var argv = HostProcesses.CommandLine(pid);
        if (argv.Count == 0 || Path.GetFileName(argv[0]) != "dockerd")
            return false;
        for (var i = 0; i + 1 < argv.Count; i++)
            if (argv[i] == "--pidfile" && argv[i + 1] == layout.PidFile)
                return true;
        return false;
    }

    private static IEnumerable<Uri> Candidates(PrivateEngineLayout layout, bool useExisting)
    {
        if (useExisting)
        {
            var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
            if (!string.IsNullOrWhiteSpace(dockerHost))
                yield return ParseDockerHost(dockerHost);
            if (File.Exists("/var/run/docker.sock"))
                yield return new Uri("unix:///var/run/docker.sock");
        }
        yield return layout.Endpoint;
    }

    /// <summary>DOCKER_HOST as Docker.DotNet takes it: unix:///path or tcp://host:port.</summary>
    /// <exception cref="ContainerException">Any other form (ssh://, a bare path).</exception>
    public static Uri ParseDockerHost(string value)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "tcp" or "http" or "https")
            return uri;
        throw new ContainerException($"DOCKER_HOST='{value}' is not supported: expected unix:///path/to/docker.sock or tcp://host:port");
    }

    private static async Task<(DockerEngine? Engine, string Why)> TryConnectAsync(Uri endpoint, PrivateEngineLayout layout, bool startedByThisCall, CancellationToken ct)
    {
        if (endpoint.Scheme == "unix" && !File.Exists(endpoint.LocalPath))
            return (null, "no socket");
        // Calls that move images or wait for a container get their own longer limits; this bounds everything else.
        var client = new DockerClientConfiguration(endpoint, defaultTimeout: TimeSpan.FromMinutes(5)).CreateClient();
        try
        {
            using var ping = CancellationTokenSource.CreateLinkedTokenSource(ct);
            ping.CancelAfter(PingTimeout);
            await client.System.PingAsync(ping.Token);
            var version = await client.System.GetVersionAsync(ping.Token);
            var kind = endpoint == layout.Endpoint ? EngineKind.Private : EngineKind.External;
            return (new DockerEngine(client, endpoint, kind, startedByThisCall, version.Version, version.APIVersion), "answers");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            client.Dispose();
            return (null, e is OperationCanceledException ? $"no answer within {PingTimeout.TotalSeconds:0} s" : e.GetBaseException().Message);
        }
    }

    private static string CheckCanStartPrivate(IReadOnlyList<string> probed)
    {
        var none = "no engine answers (" + string.Join("; ", probed) + ")";
        if (!OperatingSystem.IsLinux())
            throw new EngineUnavailableException($"{none}, and a private dockerd runs on Linux only");
        if (Syscall.geteuid() != 0)
            throw new EngineUnavailableException($"{none}, and a private dockerd needs root (running as uid {Syscall.geteuid()}); start an engine and set DOCKER_HOST");
        return FindDockerd() ?? throw new EngineUnavailableException(
            $"{none}, and dockerd is not installed (Debian: apt-get install docker.io, listed in containers/image/packages.txt)");
    }

    private static string? FindDockerd() => ExternalProcess.Find("dockerd");

    private static async Task LaunchDetachedAsync(string dockerd, IReadOnlyList<string> arguments, string logFile, CancellationToken ct)
    {
        // setsid -f: dockerd gets its own session, is reparented away from us and outlives this process, so
        // `bridge engine up` can return and Ctrl-C in the terminal does not reach the engine mid-test. Its output
        // goes to the log file, not to our pipes (which would close when we exit).
        var script = "log=$1; shift; exec setsid -f \"$@\" >>\"$log\" 2>&1 </dev/null";
        var outcome = await ExternalProcess.RunAsync("/bin/sh", ["-c", script, "sh", logFile, dockerd, .. arguments], null, ct);
        if (outcome.ExitCode != 0)
            throw new EngineUnavailableException($"could not launch {dockerd} (setsid exited {outcome.ExitCode}): {string.Join(" / ", outcome.Tail)}");
    }

    private static async Task<DockerEngine?> WaitAnswerAsync(PrivateEngineLayout layout, int? pid, TimeSpan timeout, bool startedByThisCall, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        var noProcessSince = (DateTime?)null;
        while (DateTime.UtcNow < deadline)
        {
            var (engine, _) = await TryConnectAsync(layout.Endpoint, layout, startedByThisCall, ct);
            if (engine is not null)
                return engine;
            var running = pid is { } known ? (HostProcesses.IsAlive(known) ? known : (int?)null) : RunningDockerdPid(layout);
            if (running is null)
            {
                // setsid -f returns before the child has exec'd; allow a moment before calling it dead.
                noProcessSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - noProcessSince > TimeSpan.FromSeconds(3))
                    throw new EngineUnavailableException($"private dockerd exited during startup. Log tail ({layout.LogFile}):\n{LogTail(layout)}");
            }
            else
                noProcessSince = null;
            await Task.Delay(200, ct);
        }
        return null;
    }

    private static async Task<EngineDownReport> StopAsync(PrivateEngineLayout layout, TimeSpan grace)
    {
        var pid = RunningDockerdPid(layout);
        var sigkill = pid is { } p && await HostProcesses.TerminateAsync(p, grace);
        var (ended, unmounted) = await RemoveLeftoversAsync(layout);
        if (RunningDockerdPid(layout) is null)
        {
            File.Delete(layout.PidFile);
            File.Delete(layout.Socket);
        }
        return new EngineDownReport(pid is not null, pid, sigkill, ended, unmounted);
    }

    /// <summary>Ends what of the engine outlives a SIGKILLed dockerd: processes that name this layout's exec root
    /// (containerd, shims), its containers' processes (found by the layout's cgroup parent), their empty cgroups,
    /// and mounts under its data root and run directory. Called only when no dockerd of the layout runs.</summary>
    private static async Task<(IReadOnlyList<int> Ended, IReadOnlyList<string> Unmounted)> RemoveLeftoversAsync(PrivateEngineLayout layout)
    {
        var ended = new List<int>();
        // Container processes first, with SIGKILL: their engine is gone, and a container's pid 1 may ignore SIGTERM.
        foreach (var pid in ContainerCgroups(layout).SelectMany(ProcessesIn).Distinct().ToList())
        {
            HostProcesses.Signal(pid, Signum.SIGKILL);
            if (!await HostProcesses.WaitExitAsync(pid, TimeSpan.FromSeconds(10)))
                throw new ContainerException($"container process {pid} of the private engine survived SIGKILL for 10 s");
            ended.Add(pid);
        }
        var marker = layout.ExecRoot + "/";
        var self = Environment.ProcessId;
        foreach (var pid in HostProcesses.AllPids().Where(pid => pid != self).ToList())
        {
            if (!HostProcesses.CommandLine(pid).Any(arg => arg.Contains(marker, StringComparison.Ordinal)))
                continue;
            await HostProcesses.TerminateAsync(pid, TimeSpan.FromSeconds(5));
            ended.Add(pid);
        }
        // Deepest first: a cgroup directory can be removed only once it has no children and no processes.
        foreach (var cgroup in ContainerCgroups(layout).OrderByDescending(d => d.Length))
            Directory.Delete(cgroup);

        var unmounted = new List<string>();
        foreach (var mount in HostProcesses.MountPointsUnder(layout.RunDirectory).Concat(HostProcesses.MountPointsUnder(layout.DataRoot)))
        {
            var outcome = await ExternalProcess.RunAsync("umount", ["--lazy", mount], null, CancellationToken.None);
            if (outcome.ExitCode != 0)
                throw new ContainerException($"could not unmount leftover {mount} of the private engine: {string.Join(" / ", outcome.Tail)}");
            unmounted.Add(mount);
        }
        return (ended, unmounted);
    }

    /// <summary>The layout's cgroup parent and every cgroup below it, in each mounted hierarchy (cgroup v1
    /// controllers under /sys/fs/cgroup/*, or the v2 tree at /sys/fs/cgroup itself).</summary>
    private static List<string> ContainerCgroups(PrivateEngineLayout layout)
    {
        const string root = "/sys/fs/cgroup";
        if (!Directory.Exists(root))
            return [];
        var found = new List<string>();
        foreach (var hierarchy in Directory.EnumerateDirectories(root).Prepend(root))
        {
            var parent = Path.Combine(hierarchy, layout.CgroupParent);
            if (!File.Exists(Path.Combine(parent, "cgroup.procs")))
                continue;
            found.Add(parent);
            found.AddRange(Directory.EnumerateDirectories(parent, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                .Where(d => File.Exists(Path.Combine(d, "cgroup.procs"))));
        }
        return found;
    }

    private static IEnumerable<int> ProcessesIn(string cgroup) =>
        File.ReadAllLines(Path.Combine(cgroup, "cgroup.procs"))
            .Select(l => int.TryParse(l, out var pid) ? pid : 0)
            .Where(pid => pid > 0);

    private static string LogTail(PrivateEngineLayout layout, int lines = 15)
    {
        if (!File.Exists(layout.LogFile))
            return "(no log)";
        return string.Join('\n', File.ReadLines(layout.LogFile).TakeLast(lines));
    }
}
