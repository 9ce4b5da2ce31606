namespace Bridge.Targets.Container;

/// <summary>Which engine a <see cref="DockerEngine"/> talks to.</summary>
public enum EngineKind
{
    /// <summary>An engine someone else runs (DOCKER_HOST, /var/run/docker.sock); never stopped by Bridge.</summary>
    External,
    /// <summary>Bridge's own dockerd (<see cref="PrivateEngineLayout"/>), started by <c>EngineUpAsync</c>.</summary>
    Private,
}

/// <summary>What answers, if anything, and the private dockerd's pid if one runs.</summary>
/// <param name="Answering">An engine answered a ping.</param>
/// <param name="Endpoint">The first endpoint that answered.</param>
/// <param name="Kind">Whether that engine is Bridge's private one.</param>
/// <param name="ServerVersion">e.g. 20.10.24+dfsg1.</param>
/// <param name="ApiVersion">e.g. 1.41.</param>
/// <param name="PrivateDockerdPid">The private dockerd's pid, if it runs (it may run without answering yet).</param>
/// <param name="Probed">Each endpoint tried, with why it did not answer (or "answers").</param>
public sealed record EngineStatus(
    bool Answering,
    Uri? Endpoint,
    EngineKind? Kind,
    string? ServerVersion,
    string? ApiVersion,
    int? PrivateDockerdPid,
    IReadOnlyList<string> Probed)
{
    public override string ToString() => Answering
        ? $"engine {Kind?.ToString().ToLowerInvariant()} at {Endpoint} answers: Docker {ServerVersion}, API {ApiVersion}" +
          (PrivateDockerdPid is { } pid ? $", private dockerd pid {pid}" : "")
        : "no engine answers (" + string.Join("; ", Probed) + ")" +
          (PrivateDockerdPid is { } p ? $"; private dockerd pid {p} runs but does not answer" : "");
}

/// <summary>What <c>EngineDownAsync</c> did.</summary>
/// <param name="WasRunning">A private dockerd of this layout was running.</param>
/// <param name="DockerdPid">Its pid.</param>
/// <param name="NeededSigkill">It ignored SIGTERM for the grace period.</param>
/// <param name="LeftoversEnded">Pids of its helpers (containerd, shims) that outlived it and were ended.</param>
/// <param name="MountsRemoved">Mounts under its data root or run directory that outlived it and were detached.</param>
public sealed record EngineDownReport(bool WasRunning, int? DockerdPid, bool NeededSigkill, IReadOnlyList<int> LeftoversEnded, IReadOnlyList<string> MountsRemoved);
