using Bridge.Core.Blocks;

namespace Bridge.Core.Observations;

/// <summary>How a step ended.</summary>
public enum Outcome
{
    Ok,
    /// <summary>The call failed with an errno (<see cref="StepResult.Errno"/>).</summary>
    Errno,
    /// <summary>Not attempted: an earlier step it depends on failed, or it could not be run here (see detail).</summary>
    NotRun,
    /// <summary>The step did not finish within its time limit.</summary>
    Timeout,
    /// <summary>The run was interrupted (SIGINT, SIGTERM) while the step ran: a race ended early, or a call still
    /// running a moment after the signal was abandoned.</summary>
    Interrupted,
}

/// <summary>Counts and timing of one step repeated inside a race. Times are monotonic nanoseconds of the run.</summary>
/// <param name="Iterations">Iterations attempted.</param>
/// <param name="Failures">Iterations that failed; <see cref="StepResult.Errno"/> names the first failure.</param>
/// <param name="LastOkIteration">The last iteration that returned success, or -1.</param>
/// <param name="LastOkStart">When the last successful iteration's call began.</param>
/// <param name="LastOkEnd">When the last successful iteration's call returned.</param>
public sealed record RaceStats(long Iterations, long Failures, long LastOkIteration, long LastOkStart, long LastOkEnd);

/// <summary>The result of one step, by index. Start/End are monotonic nanoseconds; for a race, its whole span.</summary>
public sealed record StepResult(
    int Step,
    Outcome Outcome,
    string? Errno = null,
    int ErrnoNumber = 0,
    string? Detail = null,
    long Start = 0,
    long End = 0,
    RaceStats? Race = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Ok => Outcome == Outcome.Ok;

    public static StepResult Success(int step, long start, long end, string? detail = null) => new(step, Outcome.Ok, Start: start, End: end, Detail: detail);
    public static StepResult Failure(int step, string errno, int number, long start, long end, string? detail = null) =>
        new(step, Outcome.Errno, errno, number, detail, start, end);
    public static StepResult Skipped(int step, string why) => new(step, Outcome.NotRun, Detail: why);

    public override string ToString() => Outcome switch
    {
        Outcome.Ok => "ok",
        Outcome.Errno => Errno!,
        Outcome.NotRun => "not-run",
        Outcome.Interrupted => "interrupted",
        _ => "timeout",
    };
}

/// <summary>A read path of a check.</summary>
public enum ReadPath
{
    /// <summary>pread with O_DIRECT: what the disk (or, on shmem, the page cache) holds.</summary>
    Disk,
    /// <summary>pread through the page cache.</summary>
    Buffered,
    /// <summary>Loads through the scenario's mapping.</summary>
    Mapping,
}

/// <summary>What one read path saw of one file at a check. <see cref="Unavailable"/> says why a path could not be
/// read at all (O_DIRECT unsupported, no mapping left …); that is not a finding by itself.</summary>
public sealed record ViewRead(
    string File,
    ReadPath Path,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(BlockRunsConverter))] IReadOnlyList<BlockRead> Blocks,
    string? Unavailable = null);

/// <summary>Everything a check step saw.</summary>
public sealed record CheckObservation(int Step, IReadOnlyList<ViewRead> Views);

/// <summary>Where the scenario ran.</summary>
/// <param name="Target">host, container:IMAGE, vm:NAME, or sim:POLICY.</param>
/// <param name="KernelRelease">uname -r of the kernel that ran it (the policy name for the simulator).</param>
/// <param name="FsType">statfs type of the file's filesystem, if any.</param>
public sealed record RunEnvironment(string Target, string KernelRelease, string? FsType);

/// <summary>The record both executors produce for a scenario: the same shape from the real kernel and from the
/// simulator, so one oracle judges both.</summary>
/// <param name="Skip">Why the scenario did not run here (missing root, device, kernel feature); nothing is judged.</param>
/// <param name="Interrupted">Where the run was interrupted (SIGINT, SIGTERM) during this scenario: the steps so far
/// are kept as evidence, the rest did not run, and nothing is judged.</param>
public sealed record Observation(
    string Scenario,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(HexIdConverter))] ulong RunId,
    RunEnvironment Environment,
    IReadOnlyList<StepResult> Steps,
    IReadOnlyList<CheckObservation> Checks,
    IReadOnlyList<string> KernelLog,
    string? Skip = null,
    string? Interrupted = null)
{
    /// <summary>What the kernel log says between two boots of a scenario that cut the power.</summary>
    public const string PowerCutMark = "--- the power was cut here; the kernel booted again on the same disks ---";

    public StepResult? ResultOf(int step) => Steps.FirstOrDefault(s => s.Step == step);

    /// <summary>One record of a scenario that spans a power cut: the steps and checks of the boot before it, then
    /// those of <paramref name="after"/> (the boot after it, which reports only the steps after the crash step), the
    /// two kernel logs with <see cref="PowerCutMark"/> between them, and the later boot's environment and outcome.</summary>
    public Observation ThenAfterPowerCut(Observation after) => after with
    {
        RunId = RunId,
        Steps = [.. Steps, .. after.Steps.Where(a => Steps.All(s => s.Step != a.Step))],
        Checks = [.. Checks, .. after.Checks],
        KernelLog = [.. KernelLog, PowerCutMark, .. after.KernelLog],
    };
}
