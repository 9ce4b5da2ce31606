using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Bridge.Agent;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Execution;

namespace Bridge.Targets.Agent;

/// <summary>
/// The host side of an agent run, whatever carries its lines (container logs, a VM's virtio-serial port): turns
/// them into Observations as they arrive, and when the run ends, accounts for every scenario the agent never
/// reported — the one in flight when the target died gets the failure (a panic's console tail lands in its kernel
/// log, a time-out becomes a hang), the rest are skipped with the reason.
/// </summary>
public sealed class AgentStream
{
    private readonly Channel<Observation> _observations = Channel.CreateUnbounded<Observation>();
    private readonly HashSet<string> _seen = [];
    private readonly List<string> _errors = [];
    private readonly Dictionary<string, Observation> _beforePowerCut = [];
    private bool _lastInterrupted;

    /// <summary>The agent reported a crash step of the named scenario and waits for the power to be cut (a VM: its host
    /// kills qemu and boots again on the same disks with <see cref="AgentRequest.Resume"/> set to this point).</summary>
    public event Action<string, PowerCutPoint>? PowerCutRequested;

    public string? Release { get; private set; }
    public bool Done { get; private set; }
    public IReadOnlyList<string> Errors => _errors;

    public void OnLine(string line)
    {
        AgentMessage? message;
        try
        {
            message = AgentProtocol.Decode(line);
        }
        catch (System.Text.Json.JsonException e)
        {
            _errors.Add($"garbled agent line ({e.Message}): {line[..Math.Min(line.Length, 200)]}");
            return;
        }
        switch (message?.Kind)
        {
            case "hello":
                Release = message.Release;
                break;
            case "observation" when message.Observation is { } o:
                lock (_seen)
                {
                    // A scenario that cut the power is one record across the boots (the steps before the cut first).
                    if (_beforePowerCut.Remove(o.Scenario, out var before))
                        o = before.ThenAfterPowerCut(o);
                    _seen.Add(o.Scenario);
                    _lastInterrupted = o.Interrupted is not null;
                }
                _observations.Writer.TryWrite(o);
                break;
            case "power-cut" when message is { Observation: { } partial, PowerCut: { } point }:
                lock (_seen)
                    _beforePowerCut[partial.Scenario] = _beforePowerCut.TryGetValue(partial.Scenario, out var earlier) ? earlier.ThenAfterPowerCut(partial) : partial;
                PowerCutRequested?.Invoke(partial.Scenario, point);
                break;
            case "error":
                _errors.Add(message.Error ?? "agent error");
                break;
            case "done":
                Done = true;
                break;
        }
    }

    /// <summary>
    /// Runs an agent with <paramref name="run"/> (which feeds the stream and calls <see cref="Finish"/>) and yields
    /// each observation as it arrives. When the caller is cancelled (SIGINT, SIGTERM), <paramref name="run"/>'s token
    /// is too: it stops its target at once (a VM is killed, a container's agent is signalled, then the container is
    /// removed) and finishes the stream with an <see cref="EndingKind.Interrupted"/> ending; the observations that
    /// arrived until then, the interrupted scenario's included, are yielded, and then the cancellation propagates.
    /// When the caller stops reading early, the run is stopped too. Either way this waits for the run's cleanup (qemu
    /// reaped, the container removed, the run's directories deleted) before it ends: when the caller says
    /// "everything the run set up was removed", it has been.
    /// </summary>
    public static async IAsyncEnumerable<Observation> RunAsync(Func<AgentStream, CancellationToken, Task> run, [EnumeratorCancellation] CancellationToken ct)
    {
        var stream = new AgentStream();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = Task.Run(() => run(stream, stop.Token), CancellationToken.None);
        // A run that failed before it could finish the stream must not leave the reader waiting.
        _ = running.ContinueWith(_ => stream._observations.Writer.TryComplete(), TaskScheduler.Default);
        var finished = false;
        try
        {
            await foreach (var observation in stream._observations.Reader.ReadAllAsync(CancellationToken.None))
                yield return observation;
            finished = true;
        }
        finally
        {
            if (!finished)
            {
                await stop.CancelAsync();
                // The caller's early stop is what matters; the run's own ending is moot.
                await Task.WhenAny(running);
            }
        }
        await running;
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>How a target run ended early.</summary>
    public enum EndingKind
    {
        /// <summary>Killed for running too long: the scenario in flight hung.</summary>
        Hang,
        /// <summary>The kernel died (panic, oops that killed the agent): a kernel finding for the scenario in flight.</summary>
        KernelCrash,
        /// <summary>The target could not start or the agent failed on its own: nothing is known, scenarios are skipped.</summary>
        Failed,
        /// <summary>The run was interrupted (SIGINT, SIGTERM) and the target stopped: the scenario in flight is
        /// interrupted, unless the agent reported it so itself; the rest were never started and are not reported.</summary>
        Interrupted,
    }

    /// <summary>How a target run ended, for the scenarios the agent did not report.</summary>
    public sealed record Ending(string Reason, EndingKind Kind, IReadOnlyList<string> ConsoleTail)
    {
        /// <summary>The run was interrupted and the target stopped as <paramref name="how"/> says.</summary>
        public static Ending Interruption(string how) => new($"the run was interrupted (SIGINT, SIGTERM); {how}", EndingKind.Interrupted, []);
    }

    /// <summary>Completes the stream, first adding an Observation for every requested scenario never reported (after
    /// an interruption, only for the one in flight).</summary>
    public void Finish(IReadOnlyList<Scenario> requested, string target, Ending? ending)
    {
        if (ending?.Kind == EndingKind.Interrupted)
        {
            FinishInterrupted(requested, target, ending);
            return;
        }
        Account(requested, target, ending);
        _observations.Writer.TryComplete();
    }

    /// <summary>Adds an Observation for every scenario of <paramref name="requested"/> (one boot's) never reported,
    /// as <see cref="Finish"/> does, and leaves the stream open for the next boot's. A scenario that reported the steps
    /// before a power cut keeps them.</summary>
    public void Account(IReadOnlyList<Scenario> requested, string target, Ending? ending)
    {
        var first = true;
        foreach (var scenario in requested)
        {
            lock (_seen)
                if (_seen.Contains(scenario.Name))
                    continue;
            var env = new RunEnvironment(target, Release ?? "unknown", null);
            var reason = ending?.Reason ?? (_errors.FirstOrDefault(e => e.StartsWith(scenario.Name + ":", StringComparison.Ordinal)) ?? "the agent did not report it");
            var observation = first && ending is { Kind: not EndingKind.Failed }
                ? InFlight(scenario, env, ending)
                : new Observation(scenario.Name, 0, env, [], [], [], $"not run: {reason}");
            lock (_seen)
            {
                if (_beforePowerCut.Remove(scenario.Name, out var before))
                    observation = before.ThenAfterPowerCut(observation);
                _seen.Add(scenario.Name);
            }
            _observations.Writer.TryWrite(observation);
            first = false;
        }
    }

    /// <summary>The agent reported the interrupted scenario itself (a container's agent, signalled) or it did not (a
    /// VM, killed): then the first scenario it did not report was in flight.</summary>
    private void FinishInterrupted(IReadOnlyList<Scenario> requested, string target, Ending ending)
    {
        bool reportedItself;
        lock (_seen)
            reportedItself = _lastInterrupted;
        var inFlight = reportedItself ? null : requested.FirstOrDefault(s =>
        {
            lock (_seen)
                return !_seen.Contains(s.Name);
        });
        if (inFlight is not null)
            _observations.Writer.TryWrite(new Observation(inFlight.Name, 0, new RunEnvironment(target, Release ?? "unknown", null), [], [], [.. ending.ConsoleTail],
                Interrupted: ending.Reason));
        _observations.Writer.TryComplete();
    }

    /// <summary>The scenario the target died in: a hang is a timed-out step, a crash a kernel-log finding.</summary>
    private static Observation InFlight(Scenario scenario, RunEnvironment env, Ending ending) => ending.Kind == EndingKind.Hang
        ? new Observation(scenario.Name, 0, env, [new StepResult(scenario.Steps[0].Index, Outcome.Timeout, Detail: ending.Reason)], [], [.. ending.ConsoleTail])
        : new Observation(scenario.Name, 0, env, [], [], [.. ending.ConsoleTail, $"BUG: the target's kernel died during this scenario: {ending.Reason}"]);
}
