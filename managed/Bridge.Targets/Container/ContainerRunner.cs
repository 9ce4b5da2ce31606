using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text.RegularExpressions;
using Bridge.Linux.Host;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Bridge.Targets.Container;

/// <summary>
/// Runs one command in a fresh container privileged enough for the harness (loop devices, mounts, /dev/kmsg,
/// io_uring, RDMA verbs), streams its output lines live, waits with a timeout and always removes the container:
/// on success, failure, timeout, exception and cancellation (Ctrl-C mapped to the token) alike. The container's name
/// is in the run's ledger before it is created, so a run killed outright has it removed by the next (<see cref="Leftover"/>).
/// On cancellation the command is first sent SIGTERM and given a moment to stop on its own.
/// </summary>
public sealed partial class ContainerRunner(DockerEngine engine)
{
    /// <summary>Every container Bridge creates carries it (<c>docker ps --filter label=org.bridge.managed</c>).</summary>
    public const string ManagedLabel = "org.bridge.managed";
    /// <summary>The creating process (<see cref="ProcessIdentity"/>), to tell runs' containers apart in a listing;
    /// what is swept after a kill is decided by the run's ledger.</summary>
    public const string OwnerLabel = "org.bridge.owner";

    /// <summary>How long an interrupted command may take to stop on its own before the container is removed under it.</summary>
    private static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(1);

    /// <summary>How long a create may take: it is not cancelled with the run (see <see cref="CreateAsync"/>).</summary>
    private static readonly TimeSpan CreateLimit = TimeSpan.FromMinutes(2);

    private static readonly ConcurrentDictionary<string, EngineQuirks> QuirksByEngine = new();

    /// <summary>What a previous run learned about an engine, so later runs skip the failing attempts.</summary>
    private sealed class EngineQuirks
    {
        public volatile bool PrivilegedRefused;
        public readonly ConcurrentDictionary<string, byte> UnknownCapabilities = new();
    }

    private sealed record Started(string Id, MultiplexedStream Stream, PrivilegeMode Mode, IReadOnlyList<string> Granted);

    /// <summary>A killed run's container, by name, on whichever engine answers (none answering: it is gone with its
    /// engine). No engine is started to look.</summary>
    public static LeftoverKind Leftover { get; } = new("container", async name =>
    {
        foreach (var answering in await DockerEngine.AnsweringAsync())
            using (answering)
                await new ContainerRunner(answering).RemoveAsync(name);
    });

    /// <summary>Removes Bridge's containers on this engine whose creating process (<see cref="OwnerLabel"/>) no longer
    /// runs, and returns their ids. The ledger sweep removes a killed run's container on whichever engine answers; when
    /// none answered then (Bridge's private engine was down), the entry went and the container stayed in the engine's
    /// data root, to be listed again when the engine next started (found: a helper's killed test run left one that
    /// failed a later run's "nothing left behind").</summary>
    public async Task<IReadOnlyList<string>> RemoveOrphansAsync(CancellationToken ct = default)
    {
        var listed = await engine.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [ManagedLabel] = true } },
        }, ct);
        var orphans = listed.Where(c => c.Labels is { } labels && labels.TryGetValue(OwnerLabel, out var owner)
                                        && ProcessIdentity.TryParse(owner, out var creator) && !creator.IsAlive).Select(c => c.ID).ToList();
        foreach (var id in orphans)
            await RemoveAsync(id);
        return orphans;
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
        var name = "bridge-" + Guid.NewGuid().ToString("N")[..16];
        var notes = new List<string>();
        var tail = new Queue<OutputLine>();
        void Collect(OutputLine line)
        {
            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > spec.LogTailLines)
                    tail.Dequeue();
            }
            onLine?.Invoke(line);
        }
        var entry = RunLedger.Current.Take(Leftover.Kind, name);
        Started? started = null;
        IReadOnlyList<string> detached = [];
        long exitCode;
        bool timedOut;
        try
        {
            started = await CreateAndStartAsync(spec, name, notes, ct);
            var output = PumpAsync(started.Stream, Collect);
            try
            {
                (exitCode, timedOut) = await WaitAsync(started.Id, spec.Timeout, notes, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await InterruptAsync(started.Id, output);
                throw;
            }
            // The attach stream ends when the container's stdio closes; give the last lines a moment to arrive.
            if (await Task.WhenAny(output, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None)) != output)
                notes.Add("output stream did not close within 10 s of the exit; the tail may miss the last lines");
        }
        finally
        {
            started?.Stream.Dispose();
            // By name: it holds whether or not create returned an id before a cancellation.
            await RemoveAsync(name);
            RunLedger.Current.Release(entry);
            // Containers share the host's loop devices, and one outlives the container that attached it.
            if (spec.ScratchDirectory is not null)
                detached = await LoopDevices.DetachBackedByFilesUnderAsync(spec.ScratchDirectory, CancellationToken.None);
        }
        if (detached.Count > 0)
            notes.Add($"the command left {string.Join(", ", detached)} attached; detached after removal");
        lock (tail)
            return new ContainerResult(started!.Id, exitCode, timedOut, started.Mode, started.Granted, clock.Elapsed, [.. tail], detached, notes);
    }

    /// <summary>/dev/loop-control and every /dev/loopN the host has, read-write; /dev/kmsg read-only (the
    /// kernel-warn verdict reads the kernel log).</summary>
    private static IList<DeviceMapping> HarnessDevices()
    {
        var devices = Directory.EnumerateFiles("/dev", "loop*")
            .Where(p => LoopName().IsMatch(Path.GetFileName(p)))
            .OrderBy(p => int.Parse(Path.GetFileName(p)[4..], CultureInfo.InvariantCulture))
            .Prepend("/dev/loop-control")
            .Where(File.Exists)
            .Select(p => new DeviceMapping { PathOnHost = p, PathInContainer = p, CgroupPermissions = "rwm" })
            .ToList();
        if (File.Exists("/dev/kmsg"))
            devices.Add(new DeviceMapping { PathOnHost = "/dev/kmsg", PathInContainer = "/dev/kmsg", CgroupPermissions = "r" });
        return devices;
    }

    /// <summary>Force-removes (kills if running); a container the engine does not know is already gone. Never takes
    /// the caller's token: cleanup must run after a cancellation too.</summary>
    private async Task RemoveAsync(string idOrName)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await engine.Client.Containers.RemoveContainerAsync(idOrName, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, limit.Token);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // "removal already in progress": the engine finishes it; the name is free once it has.
        }
    }

    private async Task RequireImageAsync(string image, CancellationToken ct)
    {
        try
        {
            await engine.Client.Images.InspectImageAsync(image, ct);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ContainerException($"image '{image}' is not on {engine} (build it with ImageBuilder.EnsureAsync from containers/image; there is no registry to pull from)", e);
        }
    }

    /// <summary>Demultiplexes the attach stream (MultiplexedStream.CopyOutputToAsync) into one pipe per stream and
    /// reads each as lines (UTF-8 across frame boundaries; \n, \r\n and a progress bar's \r end a line).</summary>
    private static async Task PumpAsync(MultiplexedStream stream, Action<OutputLine> emit)
    {
        var stdout = new Pipe();
        var stderr = new Pipe();
        var reading = Task.WhenAll(ReadLinesAsync(stdout.Reader, OutputStream.StdOut, emit), ReadLinesAsync(stderr.Reader, OutputStream.StdErr, emit));
        try
        {
            await stream.CopyOutputToAsync(Stream.Null, stdout.Writer.AsStream(), stderr.Writer.AsStream(), CancellationToken.None);
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException)
        {
            // The stream was disposed under the copy: the run is over.
        }
        finally
        {
            await stdout.Writer.CompleteAsync();
            await stderr.Writer.CompleteAsync();
            await reading;
        }
    }

    private static async Task ReadLinesAsync(PipeReader pipe, OutputStream which, Action<OutputLine> emit)
    {
        using var reader = new StreamReader(pipe.AsStream());
        while (await reader.ReadLineAsync() is { } line)
            emit(new OutputLine(which, line));
    }

    /// <summary>The caller was interrupted: SIGTERM to the command (docker-init forwards it), so that it can stop,
    /// give back what it holds and say so, for up to <see cref="InterruptGrace"/>; its last lines are read. Removal
    /// follows either way.</summary>
    private async Task InterruptAsync(string id, Task output)
    {
        using var grace = new CancellationTokenSource(InterruptGrace);
        try
        {
            await engine.Client.Containers.KillContainerAsync(id, new ContainerKillParameters { Signal = "TERM" }, grace.Token);
            await engine.Client.Containers.WaitContainerAsync(id, grace.Token);
            await output.WaitAsync(grace.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or DockerApiException or TimeoutException)
        {
            // Exited already (conflict, not found), or not within the grace: it is removed now.
        }
    }

    /// <summary>The exit code, or 137 and TimedOut after a kill when it outlived <paramref name="timeout"/>.</summary>
    private async Task<(long ExitCode, bool TimedOut)> WaitAsync(string id, TimeSpan timeout, List<string> notes, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            return ((await engine.Client.Containers.WaitContainerAsync(id, limit.Token)).StatusCode, false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            notes.Add($"killed after the {timeout} timeout");
            try
            {
                await engine.Client.Containers.KillContainerAsync(id, new ContainerKillParameters { Signal = "KILL" }, CancellationToken.None);
            }
            catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
            {
                // Exited on its own between the timeout and the kill.
            }
            using var settle = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return ((await engine.Client.Containers.WaitContainerAsync(id, settle.Token)).StatusCode, true);
        }
    }

    private async Task<Started> CreateAndStartAsync(ContainerRunSpec spec, string name, List<string> notes, CancellationToken ct)
    {
        var quirks = QuirksByEngine.GetOrAdd(engine.Endpoint + " " + engine.ServerVersion, _ => new EngineQuirks());
        PrivilegeMode[] modes = spec.Privilege switch
        {
            PrivilegeRequest.Privileged => [PrivilegeMode.Privileged],
            PrivilegeRequest.ExplicitCapabilities => [PrivilegeMode.ExplicitCapabilities],
            _ when quirks.PrivilegedRefused => [PrivilegeMode.ExplicitCapabilities],
            _ => [PrivilegeMode.Privileged, PrivilegeMode.ExplicitCapabilities],
        };
        if (spec.Privilege == PrivilegeRequest.Probe && quirks.PrivilegedRefused)
            notes.Add("Privileged=true was refused by this engine earlier; using explicit capabilities");
        var failures = new List<string>();
        foreach (var mode in modes)
        {
            var capabilities = mode == PrivilegeMode.ExplicitCapabilities ? GrantableCapabilities(quirks, notes) : [];
            var id = await CreateAsync(spec, name, mode, capabilities, quirks, notes);
            MultiplexedStream? stream = null;
            try
            {
                ct.ThrowIfCancellationRequested();
                // Attach before start, as `docker run` does, so not a byte of output is missed.
                stream = await engine.Client.Containers.AttachContainerAsync(id, false,
                    new ContainerAttachParameters { Stream = true, Stdin = spec.StdinTiedToCaller, Stdout = true, Stderr = true }, ct);
                await engine.Client.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct);
                return new Started(id, stream, mode, capabilities);
            }
            catch (Exception e)
            {
                stream?.Dispose();
                await RemoveAsync(id);
                if (e is not DockerApiException refused)
                    throw;
                failures.Add($"{mode}: {Summary(refused)}");
                if (mode == modes[^1])
                    throw new ContainerException($"{engine} would not start the container ({string.Join("; ", failures)})", e);
                // runc asks for every capability it knows under Privileged=true and fails with "unable to apply
                // caps: operation not permitted" where the bounding set lacks one (here CAP_SYS_RESOURCE).
                notes.Add($"Privileged=true refused ({Summary(refused)}); falling back to explicit capabilities");
                quirks.PrivilegedRefused = true;
            }
        }
        throw new UnreachableException("the last privilege mode either starts or throws");
    }

    private static List<string> GrantableCapabilities(EngineQuirks quirks, List<string> notes)
    {
        var host = Capabilities.HostBoundingSet();
        if (host.UnnamedBits.Count > 0)
            notes.Add($"bounding-set bits {string.Join(", ", host.UnnamedBits)} have no capability name here; not granted");
        var unknown = host.Present.Where(quirks.UnknownCapabilities.ContainsKey).ToList();
        if (unknown.Count > 0)
            notes.Add($"the engine does not know {string.Join(", ", unknown)}; not granted");
        return [.. host.Present.Except(unknown)];
    }

    private async Task<string> CreateAsync(ContainerRunSpec spec, string name, PrivilegeMode mode, List<string> capabilities, EngineQuirks quirks, List<string> notes)
    {
        while (true)
        {
            try
            {
                // Not cancelled half-way: the engine finishes a create whose request was abandoned, after the removal
                // by name has found nothing, and the container would be left. The caller's token is checked once the
                // id is known, where a cancellation removes it.
                using var limit = new CancellationTokenSource(CreateLimit);
                var created = await engine.Client.Containers.CreateContainerAsync(Parameters(spec, name, mode, capabilities), limit.Token);
                notes.AddRange((created.Warnings ?? []).Select(w => "engine: " + w));
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
            Privileged = mode == PrivilegeMode.Privileged,
        };
        if (mode == PrivilegeMode.ExplicitCapabilities)
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
        return new CreateContainerParameters
        {
            Name = name,
            Image = spec.Image,
            Cmd = [.. spec.Command],
            Env = [.. spec.Environment.Select(kv => $"{kv.Key}={kv.Value}")],
            WorkingDir = spec.WorkingDirectory,
            AttachStdout = true,
            AttachStderr = true,
            // Stdin held open by our attach only: when this process dies, the engine closes it (StdinOnce).
            AttachStdin = spec.StdinTiedToCaller,
            OpenStdin = spec.StdinTiedToCaller,
            StdinOnce = spec.StdinTiedToCaller,
            Labels = new Dictionary<string, string>(spec.Labels) { [ManagedLabel] = "1", [OwnerLabel] = ProcessIdentity.Current.ToString() },
            HostConfig = host,
        };
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
