using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Bridge.Targets.Container;

/// <summary>
/// Runs one command in a fresh container privileged enough for the harness (loop devices, mounts, /dev/kmsg,
/// io_uring, RDMA verbs), streams its output lines live, waits with a timeout and always removes the container:
/// on success, failure, timeout, exception and cancellation (Ctrl-C mapped to the token) alike.
/// </summary>
public sealed partial class ContainerRunner(DockerEngine engine)
{
    public const string ManagedLabel = "org.bridge.managed";
    /// <summary>boot-id/pid/start-time of the process that created the container; a container whose owner is gone
    /// (killed with SIGKILL before its finally ran) is removed by the next run's sweep.</summary>
    public const string OwnerLabel = "org.bridge.owner";

    private static readonly ConcurrentDictionary<string, EngineQuirks> QuirksByEngine = new();

    /// <summary>What a previous run learned about an engine, so later runs skip the failing attempts.</summary>
    private sealed class EngineQuirks
    {
        public volatile bool PrivilegedRefused;
        public readonly ConcurrentDictionary<string, byte> UnknownCapabilities = new();
    }

    /// <summary>Creates, starts, streams, waits, removes. Output lines reach <paramref name="onLine"/> as they come.</summary>
    /// <exception cref="ArgumentException">The spec is malformed (nothing was created).</exception>
    /// <exception cref="ContainerException">The image is missing or the engine refused the container in every
    /// privilege mode tried; nothing is left behind.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> fired; the container was killed and removed.</exception>
    public async Task<ContainerResult> RunAsync(ContainerRunSpec spec, Action<OutputLine>? onLine = null, CancellationToken ct = default)
    {
        spec.Validate();
        var clock = Stopwatch.StartNew();
        await RequireImageAsync(spec.Image, ct);
        await RemoveOrphansAsync(ct);

        var quirks = QuirksByEngine.GetOrAdd(engine.Endpoint + " " + engine.ServerVersion, _ => new EngineQuirks());
        var name = "bridge-" + Guid.NewGuid().ToString("N")[..16];
        var notes = new List<string>();
        var pump = new OutputPump(spec.LogTailLines, onLine, spec.MaxLineChars);
        string? id = null;
        MultiplexedStream? stream = null;
        Task? pumping = null;
        var detached = (IReadOnlyList<string>)[];
        PrivilegeMode mode = default;
        IReadOnlyList<string> granted = [];
        long exitCode;
        var timedOut = false;
        Exception? primary = null;
        try
        {
            (id, stream, mode, granted) = await CreateAndStartAsync(spec, name, quirks, notes, ct);
            pumping = pump.RunAsync(stream, CancellationToken.None);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(spec.Timeout);
            try
            {
                exitCode = (await engine.Client.Containers.WaitContainerAsync(id, limit.Token)).StatusCode;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                timedOut = true;
                notes.Add($"killed after the {spec.Timeout} timeout");
                await KillAsync(id);
                using var settle = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                exitCode = (await engine.Client.Containers.WaitContainerAsync(id, settle.Token)).StatusCode;
            }
            // The attach stream ends when the container's stdio closes; give the last lines a moment to arrive.
            if (await Task.WhenAny(pumping, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None)) != pumping)
                notes.Add("output stream did not close within 10 s of the exit; the tail may miss the last lines");
            else
                await pumping;
        }
        catch (Exception e)
        {
            primary = e;
            throw;
        }
        finally
        {
            try
            {
                stream?.Dispose();
                if (pumping is not null)
                {
                    // Disposing the stream ends a pump still reading; a fault of its own was observed above.
                    try { await pumping; }
                    catch (Exception) when (pumping.IsFaulted || pumping.IsCanceled) { }
                }
                // By id when create returned one; by name when cancellation hit while create was in flight.
                await RemoveAsync(id ?? name);
                if (spec.ScratchDirectory is not null)
                    detached = await LoopDevices.DetachBackedByFilesUnderAsync(spec.ScratchDirectory, CancellationToken.None);
            }
            catch (Exception cleanup) when (primary is not null)
            {
                // Both matter: what went wrong, and that something may be left behind.
                throw new ContainerException($"{primary.Message}; cleaning up afterwards failed too: {cleanup.Message}", new AggregateException(primary, cleanup));
            }
        }
        if (detached.Count > 0)
            notes.Add($"the command left {string.Join(", ", detached)} attached; detached after removal");
        return new ContainerResult(id, exitCode, timedOut, mode, granted, clock.Elapsed, pump.Tail, detached, notes);
    }

    /// <summary>Removes Bridge containers whose creating process no longer runs on this host (it was killed before
    /// its cleanup ran). Containers of live Bridge processes, and anything not labelled by Bridge, are left alone.</summary>
    public async Task<IReadOnlyList<string>> RemoveOrphansAsync(CancellationToken ct = default)
    {
        // Owner pids mean something only when the engine runs on this host.
        if (engine.Endpoint.Scheme != "unix")
            return [];
        var containers = await engine.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [ManagedLabel + "=1"] = true } },
        }, ct);
        var removed = new List<string>();
        foreach (var container in containers)
        {
            if (container.Labels is null || !container.Labels.TryGetValue(OwnerLabel, out var owner) || OwnerAlive(owner))
                continue;
            await RemoveAsync(container.ID);
            removed.Add(container.ID);
        }
        return removed;
    }

    /// <summary>This process's owner label value: boot id, pid and start time (a pid alone can be reused).</summary>
    public static string OwnerLabelValue()
    {
        var pid = Environment.ProcessId;
        return $"{BootId()}/{pid}/{HostProcesses.StartTime(pid)}";
    }

    private static bool OwnerAlive(string owner)
    {
        var parts = owner.Split('/');
        if (parts.Length != 3 || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var pid))
            return true; // not ours to judge
        if (parts[0] != BootId())
            return true; // created under another boot (or host): its pid says nothing here
        return HostProcesses.StartTime(pid)?.ToString(CultureInfo.InvariantCulture) == parts[2] && HostProcesses.IsAlive(pid);
    }

    private static string BootId() => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();

    private async Task RequireImageAsync(string image, CancellationToken ct)
    {
        try
        {
            await engine.Client.Images.InspectImageAsync(image, ct);
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new ContainerException($"image '{image}' is not on {engine} (build it with ImageBuilder.EnsureAsync from containers/image; there is no registry to pull from)", e);
        }
    }

    private IEnumerable<PrivilegeMode> ModesToTry(PrivilegeRequest request, EngineQuirks quirks) => request switch
    {
        PrivilegeRequest.Privileged => [PrivilegeMode.Privileged],
        PrivilegeRequest.ExplicitCapabilities => [PrivilegeMode.ExplicitCapabilities],
        _ when quirks.PrivilegedRefused => [PrivilegeMode.ExplicitCapabilities],
        _ => [PrivilegeMode.Privileged, PrivilegeMode.ExplicitCapabilities],
    };

    private async Task<(string Id, MultiplexedStream Stream, PrivilegeMode Mode, IReadOnlyList<string> Granted)> CreateAndStartAsync(
        ContainerRunSpec spec, string name, EngineQuirks quirks, List<string> notes, CancellationToken ct)
    {
        var modes = ModesToTry(spec.Privilege, quirks).ToList();
        if (spec.Privilege == PrivilegeRequest.Probe && quirks.PrivilegedRefused)
            notes.Add("Privileged=true was refused by this engine earlier; using explicit capabilities");
        var failures = new List<string>();
        foreach (var mode in modes)
        {
            var capabilities = mode == PrivilegeMode.ExplicitCapabilities ? GrantableCapabilities(quirks, notes) : [];
            var id = await CreateAsync(spec, name, mode, capabilities, quirks, notes, ct);
            MultiplexedStream? stream = null;
            try
            {
                // Attach before start, as `docker run` does, so not a byte of output is missed.
                stream = await engine.Client.Containers.AttachContainerAsync(id, false,
                    new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true }, ct);
                await engine.Client.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct);
                return (id, stream, mode, capabilities);
            }
            catch (DockerApiException e) when (mode != modes[^1])
            {
                // runc asks for every capability it knows under Privileged=true and fails with "unable to apply
                // caps: operation not permitted" where the bounding set lacks one (here CAP_SYS_RESOURCE).
                failures.Add($"{mode}: {Summary(e)}");
                notes.Add($"Privileged=true refused ({Summary(e)}); falling back to explicit capabilities");
                quirks.PrivilegedRefused = true;
                stream?.Dispose();
                await RemoveAsync(id);
            }
            catch (DockerApiException e)
            {
                stream?.Dispose();
                await RemoveAsync(id);
                failures.Add($"{mode}: {Summary(e)}");
                throw new ContainerException($"{engine} would not start the container ({string.Join("; ", failures)})", e);
            }
            catch
            {
                stream?.Dispose();
                await RemoveAsync(id);
                throw;
            }
        }
        throw new InvalidOperationException("no privilege mode to try"); // ModesToTry never yields an empty list
    }

    private static List<string> GrantableCapabilities(EngineQuirks quirks, List<string> notes)
    {
        var host = Capabilities.HostBoundingSet();
        if (host.UnnamedBits.Count > 0)
            notes.Add($"bounding-set bits {string.Join(", ", host.UnnamedBits)} have no capability name here; not granted");
        var unknown = host.Present.Where(quirks.UnknownCapabilities.ContainsKey).ToList();
        if (unknown.Count > 0)
            notes.Add($"the engine does not know {string.Join(", ", unknown)}; not granted");
        return [.. host.Present.Where(c => !quirks.UnknownCapabilities.ContainsKey(c))];
    }

    private async Task<string> CreateAsync(ContainerRunSpec spec, string name, PrivilegeMode mode, List<string> capabilities, EngineQuirks quirks, List<string> notes, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                var created = await engine.Client.Containers.CreateContainerAsync(Parameters(spec, name, mode, capabilities), ct);
                foreach (var warning in created.Warnings ?? [])
                    notes.Add("engine: " + warning);
                return created.ID;
            }
            catch (DockerApiException e) when (mode == PrivilegeMode.ExplicitCapabilities && UnknownCapability().Match(e.ResponseBody ?? "") is { Success: true } m
                                                && capabilities.Remove(m.Groups[1].Value))
            {
                // Docker 20.10 knows capabilities up to CAP_AUDIT_READ; a 6.x kernel also has CAP_PERFMON, CAP_BPF
                // and CAP_CHECKPOINT_RESTORE. The engine names one per refusal: drop it and ask again.
                quirks.UnknownCapabilities.TryAdd(m.Groups[1].Value, 0);
                notes.Add($"the engine does not know {m.Groups[1].Value}; not granted");
            }
            catch (DockerApiException e)
            {
                throw new ContainerException($"{engine} refused to create the container ({mode}): {Summary(e)}", e);
            }
        }
    }

    private static CreateContainerParameters Parameters(ContainerRunSpec spec, string name, PrivilegeMode mode, List<string> capabilities)
    {
        var mounts = spec.Mounts
            .Select(m => new Mount { Type = "bind", Source = m.HostPath, Target = m.ContainerPath, ReadOnly = m.ReadOnly })
            .ToList();
        if (spec.ScratchDirectory is not null)
            mounts.Add(new Mount { Type = "bind", Source = spec.ScratchDirectory, Target = spec.ScratchMountPoint, ReadOnly = false });
        var host = new HostConfig
        {
            NetworkMode = "none",
            // The harness issues io_uring, mount, losetup and verbs calls that the default seccomp and AppArmor
            // profiles refuse even with the capabilities.
            SecurityOpt = ["seccomp=unconfined", "apparmor=unconfined"],
            Mounts = mounts,
            // docker-init as pid 1 reaps the zombies of make/dotnet and forwards signals.
            Init = true,
            ShmSize = spec.ShmSizeBytes,
        };
        if (mode == PrivilegeMode.Privileged)
            host.Privileged = true;
        else
        {
            host.CapAdd = capabilities;
            host.Devices = HarnessDevices();
            // Block major 7 (loop): lets the harness use loop devices that loop-control creates after start,
            // once it has made their nodes (mknod).
            host.DeviceCgroupRules = ["b 7:* rwm"];
            // As --privileged does: /proc/sys writable (vm.nr_hugepages, vm.drop_caches) and nothing in /proc masked
            // (/proc/kcore aside, the harness reads /proc/self and /dev/kmsg only; an empty list means "none").
            host.ReadonlyPaths = [];
            host.MaskedPaths = [];
        }
        var labels = new Dictionary<string, string>(spec.Labels)
        {
            [ManagedLabel] = "1",
            [OwnerLabel] = OwnerLabelValue(),
        };
        return new CreateContainerParameters
        {
            Name = name,
            Image = spec.Image,
            Cmd = [.. spec.Command],
            Env = [.. spec.Environment.Select(kv => $"{kv.Key}={kv.Value}")],
            WorkingDir = spec.WorkingDirectory,
            AttachStdout = true,
            AttachStderr = true,
            Labels = labels,
            HostConfig = host,
        };
    }

    /// <summary>/dev/loop-control and every /dev/loopN the host has, read-write; /dev/kmsg read-only (the
    /// kernel-warn verdict reads the kernel log).</summary>
    public static IList<DeviceMapping> HarnessDevices()
    {
        var devices = new List<DeviceMapping>();
        if (File.Exists("/dev/loop-control"))
            devices.Add(new DeviceMapping { PathOnHost = "/dev/loop-control", PathInContainer = "/dev/loop-control", CgroupPermissions = "rwm" });
        foreach (var loop in Directory.EnumerateFiles("/dev", "loop*")
                     .Where(p => LoopName().IsMatch(Path.GetFileName(p)))
                     .OrderBy(p => int.Parse(Path.GetFileName(p)[4..], CultureInfo.InvariantCulture)))
            devices.Add(new DeviceMapping { PathOnHost = loop, PathInContainer = loop, CgroupPermissions = "rwm" });
        if (File.Exists("/dev/kmsg"))
            devices.Add(new DeviceMapping { PathOnHost = "/dev/kmsg", PathInContainer = "/dev/kmsg", CgroupPermissions = "r" });
        return devices;
    }

    private async Task KillAsync(string id)
    {
        try
        {
            await engine.Client.Containers.KillContainerAsync(id, new ContainerKillParameters { Signal = "KILL" }, CancellationToken.None);
        }
        catch (DockerApiException e) when (e.StatusCode is System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.NotFound)
        {
            // Exited on its own between the timeout and the kill.
        }
    }

    /// <summary>Force-removes (kills if running) and waits until the engine no longer knows the container.
    /// Never takes the caller's token: cleanup must run after a cancellation too.</summary>
    private async Task RemoveAsync(string idOrName)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            try
            {
                await engine.Client.Containers.RemoveContainerAsync(idOrName, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, limit.Token);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return;
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // "removal already in progress": wait for it to finish.
                await Task.Delay(200, limit.Token);
                continue;
            }
            try
            {
                await engine.Client.Containers.InspectContainerAsync(idOrName, limit.Token);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return;
            }
            await Task.Delay(200, limit.Token);
        }
    }

    private static string Summary(DockerApiException e)
    {
        var body = e.ResponseBody ?? e.Message;
        var message = MessageField().Match(body);
        return (message.Success ? Regex.Unescape(message.Groups[1].Value) : body).Trim();
    }

    [GeneratedRegex("""unknown capability: \\?"(CAP_[A-Z_]+)""")]
    private static partial Regex UnknownCapability();

    [GeneratedRegex("""^loop[0-9]+$""")]
    private static partial Regex LoopName();

    [GeneratedRegex(@"""message""\s*:\s*""((?:[^""\\]|\\.)*)""")]
    private static partial Regex MessageField();
}
