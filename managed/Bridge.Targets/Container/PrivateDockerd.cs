using Bridge.Linux.Host;
using Mono.Unix.Native;

namespace Bridge.Targets.Container;

/// <summary>
/// Bridge's own dockerd, for machines with the Debian docker.io package but no running engine: started detached
/// (it outlives the run that started it, until <see cref="StopAsync"/> or <c>pinbridge engine down</c>), networkless,
/// with its own socket, data root and cgroup parent (<see cref="PrivateEngineLayout"/>), so that a stop after a
/// SIGKILL can find and end everything of it: containerd, shims, its containers' processes, cgroups and mounts.
/// </summary>
public static class PrivateDockerd
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Flags that make Debian's dockerd 20.10 start on hosts without iptables or a bridge module: a test
    /// container needs no network (it runs with NetworkMode none).</summary>
    public static IReadOnlyList<string> NetworklessFlags { get; } = ["--iptables=false", "--ip-forward=false", "--bridge=none"];

    /// <summary>Starts the private dockerd (or joins one another process started meanwhile) and waits until it answers.</summary>
    /// <exception cref="EngineUnavailableException">It cannot be started here (not Linux, not root, no dockerd) or
    /// did not answer in time; <paramref name="noneAnswers"/> says what was tried before.</exception>
    internal static async Task<DockerEngine> StartAsync(EngineUpOptions options, string noneAnswers, CancellationToken ct)
    {
        var layout = options.Layout;
        if (!OperatingSystem.IsLinux())
            throw new EngineUnavailableException($"{noneAnswers}, and a private dockerd runs on Linux only");
        if (Syscall.geteuid() != 0)
            throw new EngineUnavailableException($"{noneAnswers}, and a private dockerd needs root (running as uid {Syscall.geteuid()}); start an engine and set DOCKER_HOST");
        var dockerd = Executables.Find("dockerd") ?? throw new EngineUnavailableException(
            $"{noneAnswers}, and dockerd is not installed (Debian: apt-get install docker.io, listed in containers/image/packages.txt)");
        Directory.CreateDirectory(layout.RunDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(layout.DataRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var held = await FileLock.AcquireAsync(layout.LockFile, LockTimeout, ct);

        // Another process may have started it while we waited for the lock.
        if ((await DockerEngine.TryConnectAsync(layout.Endpoint, layout, startedByThisCall: false, ct)).Engine is { } already)
            return already;
        if (RunningPid(layout) is { } hung)
        {
            // Started earlier (by a run that died holding no lock any more) and still not answering: give it the
            // start timeout, then tell the user how to clear it rather than killing something mid-start.
            return await WaitAnswerAsync(layout, hung, options.StartTimeout, startedByThisCall: false, ct) ?? throw new EngineUnavailableException(
                $"private dockerd (pid {hung}) runs but does not answer on {layout.Socket} after {options.StartTimeout.TotalSeconds:0} s; " +
                $"stop it with 'pinbridge engine down'. Log tail ({layout.LogFile}):\n{LogTail(layout)}");
        }

        // A previous private dockerd killed with SIGKILL leaves containerd, shims and its data-root mount behind.
        await RemoveLeftoversAsync(layout);
        options.Log?.Invoke($"starting private dockerd: {dockerd} (data root {layout.DataRoot}, socket {layout.Socket}, log {layout.LogFile})");
        File.WriteAllText(layout.LogFile, "");
        // setsid -f: dockerd gets its own session, is reparented away from us and outlives this process, so
        // `pinbridge engine up` can return and Ctrl-C in the terminal does not reach the engine mid-test. Its output
        // goes to the log file, not to our pipes (which would close when we exit).
        var launch = await Tool.RunAsync("/bin/sh", ["-c", "log=$1; shift; exec setsid -f \"$@\" >>\"$log\" 2>&1 </dev/null", "sh", layout.LogFile, dockerd, .. Arguments(layout)], ct);
        if (!launch.Succeeded)
            throw new EngineUnavailableException($"could not launch {dockerd} (setsid exited {launch.ExitCode}): {launch.Said}");

        DockerEngine? started = null;
        try
        {
            started = await WaitAnswerAsync(layout, pid: null, options.StartTimeout, startedByThisCall: true, ct);
        }
        finally
        {
            if (started is null)
                await StopLockedAsync(layout, TimeSpan.FromSeconds(10));
        }
        return started ?? throw new EngineUnavailableException(
            $"private dockerd did not answer on {layout.Socket} within {options.StartTimeout.TotalSeconds:0} s and was stopped. " +
            $"Log tail ({layout.LogFile}):\n{LogTail(layout)}");
    }

    /// <summary>Stops the private dockerd of <paramref name="layout"/> (SIGTERM, <paramref name="grace"/>, SIGKILL),
    /// then ends whatever of it outlived it (containerd, shims) and detaches its leftover mounts. Idempotent; never
    /// touches an external engine.</summary>
    public static async Task<EngineDownReport> StopAsync(PrivateEngineLayout? layout = null, TimeSpan? grace = null, CancellationToken ct = default)
    {
        layout ??= PrivateEngineLayout.Default;
        if (!Directory.Exists(layout.RunDirectory) && RunningPid(layout) is null)
            return new EngineDownReport(false, null, false, [], []);
        using var held = await FileLock.AcquireAsync(layout.LockFile, LockTimeout, ct);
        // dockerd's own shutdown waits up to 15 s for containers to stop; give it that and a little more.
        return await StopLockedAsync(layout, grace ?? TimeSpan.FromSeconds(20));
    }

    /// <summary>The pid of the private dockerd of <paramref name="layout"/>, proven by its command line naming the
    /// layout's pidfile (so a recycled pid in a stale pidfile is never mistaken for it).</summary>
    public static int? RunningPid(PrivateEngineLayout layout)
    {
        if (File.Exists(layout.PidFile) && int.TryParse(File.ReadAllText(layout.PidFile).Trim(), out var pid) && IsPrivateDockerd(pid, layout))
            return pid;
        // The pidfile can be gone (deleted by hand) while dockerd still runs.
        return HostProcesses.AllPids().Where(candidate => IsPrivateDockerd(candidate, layout)).Select(p => (int?)p).FirstOrDefault();
    }

    internal static IReadOnlyList<string> Arguments(PrivateEngineLayout layout) =>
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

    private static async Task<DockerEngine?> WaitAnswerAsync(PrivateEngineLayout layout, int? pid, TimeSpan timeout, bool startedByThisCall, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        var noProcessSince = (DateTime?)null;
        while (DateTime.UtcNow < deadline)
        {
            if ((await DockerEngine.TryConnectAsync(layout.Endpoint, layout, startedByThisCall, ct)).Engine is { } engine)
                return engine;
            var running = pid is { } known ? (HostProcesses.IsAlive(known) ? known : (int?)null) : RunningPid(layout);
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

    private static async Task<EngineDownReport> StopLockedAsync(PrivateEngineLayout layout, TimeSpan grace)
    {
        var pid = RunningPid(layout);
        var sigkill = pid is { } p && await HostProcesses.TerminateAsync(p, grace);
        var (ended, unmounted) = await RemoveLeftoversAsync(layout);
        if (RunningPid(layout) is null)
        {
            File.Delete(layout.PidFile);
            File.Delete(layout.Socket);
        }
        return new EngineDownReport(pid is not null, pid, sigkill, ended, unmounted);
    }

    /// <summary>Ends what of the engine outlives a SIGKILLed dockerd: its containers' processes (found by the
    /// layout's cgroup parent), processes that name this layout's exec root (containerd, shims), their empty cgroups,
    /// and mounts under its data root and run directory. Called only when no dockerd of the layout runs.</summary>
    private static async Task<(IReadOnlyList<int> Ended, IReadOnlyList<string> Unmounted)> RemoveLeftoversAsync(PrivateEngineLayout layout)
    {
        var ended = new List<int>();
        // Container processes first, with SIGKILL: their engine is gone, and a container's pid 1 may ignore SIGTERM.
        foreach (var pid in ContainerCgroups(layout).SelectMany(ProcessesIn).Distinct().ToList())
        {
            await HostProcesses.KillAsync(pid);
            ended.Add(pid);
        }
        var marker = layout.ExecRoot + "/";
        foreach (var pid in HostProcesses.AllPids().Where(pid => pid != Environment.ProcessId).ToList())
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
        foreach (var mount in MountTable.Under(layout.RunDirectory).Concat(MountTable.Under(layout.DataRoot)))
        {
            var outcome = await Tool.RunAsync("umount", ["--lazy", mount], CancellationToken.None);
            if (!outcome.Succeeded)
                throw new ContainerException($"could not unmount leftover {mount} of the private engine: {outcome.Said}");
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

    private static string LogTail(PrivateEngineLayout layout, int lines = 15) =>
        File.Exists(layout.LogFile) ? string.Join('\n', File.ReadLines(layout.LogFile).TakeLast(lines)) : "(no log)";
}
