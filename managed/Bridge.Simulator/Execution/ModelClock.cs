namespace Bridge.Simulator.Execution;

/// <summary>Monotonic model time in nanoseconds: every preemption point costs one quantum, every call one more.</summary>
internal sealed class ModelClock
{
    public const long Quantum = 1_000;

    public long Now { get; private set; } = 1_000_000;

    public void Tick() => Now += Quantum;
}
