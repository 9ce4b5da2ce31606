using System.CommandLine;
using Bridge.Targets.Container;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge engine up|down|status</c>: Bridge's private dockerd, for machines with the docker.io package
/// but no running engine (docs/ARCHITECTURE.md §12: no iptables, no bridge network, its own data root and socket).</summary>
public static class EngineCommand
{
    public static Command Create()
    {
        var up = new Command("up", "Connect to a running engine (DOCKER_HOST, /var/run/docker.sock) or start the private one; stays up until 'pinbridge engine down'.");
        up.SetAction(async (_, ct) =>
        {
            using var engine = await Up(ct);
            Console.WriteLine($"{(engine.StartedByThisCall ? "started" : "already running")}: {engine}");
            return 0;
        });
        var down = new Command("down", "Stop the private dockerd (an engine Bridge did not start is left alone) and whatever it left behind.");
        down.SetAction(async (_, ct) =>
        {
            var report = await PrivateDockerd.StopAsync(ct: ct);
            Console.WriteLine(report.WasRunning
                ? $"stopped the private dockerd (pid {report.DockerdPid}{(report.NeededSigkill ? ", SIGKILL" : "")}); ended {report.LeftoversEnded.Count} leftover processes, {report.MountsRemoved.Count} mounts"
                : "no private dockerd was running");
            return 0;
        });
        var status = new Command("status", "Say which engine answers, if any.");
        status.SetAction(async (_, ct) =>
        {
            var s = await DockerEngine.StatusAsync(ct: ct);
            Console.WriteLine(s);
            return s.Answering ? 0 : 1;
        });
        return new Command("engine", "Manage the Docker engine the container target uses.") { up, down, status };
    }

    private static async Task<DockerEngine> Up(CancellationToken ct)
    {
        try
        {
            return await DockerEngine.EngineUpAsync(new EngineUpOptions { Log = Console.Error.WriteLine }, ct);
        }
        catch (EngineUnavailableException e)
        {
            throw new UsageException($"no Docker engine can be had: {e.Message}");
        }
    }
}
