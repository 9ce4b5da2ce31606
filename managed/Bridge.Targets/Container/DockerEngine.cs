using Docker.DotNet;

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
/// private dockerd, which <see cref="PrivateDockerd"/> starts where the Debian docker.io package is installed but no
/// engine runs, and stops.
/// </summary>
public sealed class DockerEngine : IDisposable
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(3);

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
        var probed = new List<string>();
        foreach (var endpoint in Candidates(options.Layout, options.UseExistingEngine))
        {
            var (engine, why) = await TryConnectAsync(endpoint, options.Layout, startedByThisCall: false, ct);
            if (engine is not null)
                return engine;
            probed.Add($"{endpoint}: {why}");
        }
        return await PrivateDockerd.StartAsync(options, "no engine answers (" + string.Join("; ", probed) + ")", ct);
    }

    /// <summary>Which engine answers, and whether the private dockerd runs.</summary>
    public static async Task<EngineStatus> StatusAsync(PrivateEngineLayout? layout = null, CancellationToken ct = default)
    {
        layout ??= PrivateEngineLayout.Default;
        var probed = new List<string>();
        var pid = PrivateDockerd.RunningPid(layout);
        foreach (var endpoint in Candidates(layout, useExisting: true))
        {
            var (engine, why) = await TryConnectAsync(endpoint, layout, startedByThisCall: false, ct);
            probed.Add($"{endpoint}: {why}");
            if (engine is null)
                continue;
            using (engine)
                return new EngineStatus(true, engine.Endpoint, engine.Kind, engine.ServerVersion, engine.ApiVersion, pid, probed);
        }
        return new EngineStatus(false, null, null, null, null, pid, probed);
    }

    /// <summary>Every engine that answers now, without starting one (a sweep must not start an engine to look).</summary>
    public static async Task<IReadOnlyList<DockerEngine>> AnsweringAsync(CancellationToken ct = default)
    {
        var engines = new List<DockerEngine>();
        foreach (var endpoint in Candidates(PrivateEngineLayout.Default, useExisting: true).Distinct())
            if ((await TryConnectAsync(endpoint, PrivateEngineLayout.Default, startedByThisCall: false, ct)).Engine is { } engine)
                engines.Add(engine);
        return engines;
    }

    /// <summary>DOCKER_HOST as Docker.DotNet takes it: unix:///path or tcp://host:port.</summary>
    /// <exception cref="ContainerException">Any other form (ssh://, a bare path).</exception>
    public static Uri ParseDockerHost(string value)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "tcp" or "http" or "https")
            return uri;
        throw new ContainerException($"DOCKER_HOST='{value}' is not supported: expected unix:///path/to/docker.sock or tcp://host:port");
    }

    internal static async Task<(DockerEngine? Engine, string Why)> TryConnectAsync(Uri endpoint, PrivateEngineLayout layout, bool startedByThisCall, CancellationToken ct)
    {
        if (endpoint.Scheme == "unix" && !File.Exists(endpoint.LocalPath))
            return (null, "no socket");
        // Calls that move images or wait for a container get their own longer limits; this bounds everything else.
        var client = new DockerClientConfiguration(endpoint, defaultTimeout: TimeSpan.FromMinutes(5)).CreateClient();
        try
        {
            using var ping = CancellationTokenSource.CreateLinkedTokenSource(ct);
            ping.CancelAfter(PingTimeout);
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
}
