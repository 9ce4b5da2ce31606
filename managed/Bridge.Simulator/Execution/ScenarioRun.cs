using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Model;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Execution;

/// <summary>One scenario on one fresh model: runs the steps in order and records what each returned.</summary>
internal sealed class ScenarioRun
{
    private readonly Scenario _scenario;
    private readonly Policy _policy;
    private readonly ulong _runId;
    private readonly SimOptions _options;
    private readonly SplitMix64 _random;
    private readonly Kernel _kernel;
    private readonly ModelClock _clock = new();
    private readonly StepResult?[] _results;
    private readonly List<CheckObservation> _checks = [];
    private readonly IReadOnlyList<string> _outputs;
    private string? _dead;
    private string? _pinFailure;

    public ScenarioRun(Scenario scenario, Policy policy, ulong runId, SimOptions options)
    {
        _scenario = scenario;
        _policy = policy;
        _runId = runId;
        _options = options;
        _random = new SplitMix64(runId ^ 0x5EED_0F_B41D6EUL);
        _kernel = new Kernel(scenario, policy, _random);
        _results = new StepResult?[scenario.StepCount];
        _outputs = CheckReader.OutputNames(scenario);
    }

    public Observation Execute()
    {
        foreach (var step in _scenario.Steps)
        {
            RunTopLevel(step);
            if (_dead is null && step.Effect != Effect.Check && _random.Chance(_options.FlusherChance))
                Drain(_kernel.FlusherPass());
        }
        return new Observation(
            _scenario.Name,
            _runId,
            new RunEnvironment($"sim:{_policy.Name}", _policy.Name, _scenario.Backing.FsType),
            _results.Select((r, i) => r ?? StepResult.Skipped(i, "no result")).ToList(),
            _checks,
            _kernel.Log.ToList());
    }

    private void RunTopLevel(Step step)
    {
        if (_dead is not null)
        {
            foreach (var s in step.Body.Prepend(step))
                _results[s.Index] = StepResult.Skipped(s.Index, _dead);
            return;
        }
        switch (step.Effect)
        {
            case Effect.Race:
                foreach (var result in new RaceRun(_kernel, _clock, _random, _options, step, _pinFailure).Run())
                    Store(result);
                break;
            case Effect.Check:
                RunCheck(step);
                break;
            default:
                RunSimple(step);
                break;
        }
    }

    private void RunSimple(Step step)
    {
        if (VerbOps.NeedsPin(step) && _kernel.Pin is null)
        {
            _results[step.Index] = StepResult.Skipped(step.Index, _pinFailure ?? "no pin is held");
            return;
        }
        var result = new OpResult();
        var start = _clock.Now;
        Drain(VerbOps.Table[step.Keyword](_kernel, step, 0, result));
        _clock.Tick();
        Store(Results.Of(step, result, start, _clock.Now, null));
        if (step.Effect == Effect.Pin && result.Errno is { } errno)
            _pinFailure = $"needs the pin that step #{step.Index} could not take ({errno})";
    }

    private void RunCheck(Step step)
    {
        var result = new OpResult();
        var views = new List<ViewRead>();
        var start = _clock.Now;
        Drain(CheckReader.Read(_kernel, _outputs, _runId, views, result));
        _clock.Tick();
        Store(Results.Of(step, result, start, _clock.Now, null));
        if (result.Ok)
            _checks.Add(new CheckObservation(step.Index, views));
    }

    /// <summary>Stores a step's result; a hung step ends the run for every later step.</summary>
    private void Store(StepResult result)
    {
        _results[result.Step] = result;
        if (result.Outcome == Outcome.Timeout)
            _dead = $"step #{result.Step} hung: {result.Detail}";
    }

    private void Drain(IEnumerable<Yield> op)
    {
        foreach (var _ in op)
            _clock.Tick();
    }
}
