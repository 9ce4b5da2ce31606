using System.Runtime.InteropServices;
using Bridge.Targets;

namespace Bridge.Cli;

/// <summary>
/// SIGINT and SIGTERM, obeyed at once. The first cancels <see cref="Token"/>: the step in flight stops within a second
/// (a race between iterations, a check between reads, a call still running is abandoned; a VM is killed, a
/// container's agent signalled), the scenario is reported as interrupted, everything the run set up is given back,
/// and the command exits <see cref="ExitCode"/>. A second signal does not wait for that: it gives back what the run's
/// ledger still holds, as far as it can in <see cref="LastChanceLimit"/>, and exits at once (the next run sweeps the
/// rest).
/// </summary>
internal sealed class Interruption : IDisposable
{
    /// <summary>128 + SIGINT, as a shell reports a command stopped by Ctrl-C; also after SIGTERM, as the issue asks.</summary>
    public const int ExitCode = 130;

    private static readonly TimeSpan LastChanceLimit = TimeSpan.FromSeconds(3);

    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration _interrupt, _terminate;
    private int _signals;

    private Interruption()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled by the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The first signal received (SIGINT, SIGTERM), or null.</summary>
    public string? Signal { get; private set; }

    /// <summary>Takes over SIGINT and SIGTERM from the runtime's default (terminate at once, nothing given back).</summary>
    public static Interruption Install() => new();

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        var name = context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
        if (Interlocked.Increment(ref _signals) == 1)
        {
            Signal = name;
            Console.Error.WriteLine($"pinbridge: {name}: stopping the current step and giving back what the run holds (send it again to exit at once)");
            // Cancellation callbacks (a VM's kill, a container's signal) run on the pool, not on the signal thread.
            ThreadPool.QueueUserWorkItem(_ => _cancel.Cancel());
            return;
        }
        Console.Error.WriteLine($"pinbridge: {name} again: giving back what the run holds now and exiting");
        var giveBack = Leftovers.GiveBackOwnAsync();
        if (!giveBack.Wait(LastChanceLimit))
            Console.Error.WriteLine($"pinbridge: giving back took longer than {LastChanceLimit.TotalSeconds:0}s; the next run (or `pinbridge cleanup`) sweeps the rest");
        else
            foreach (var (resource, failure) in giveBack.Result.Where(l => l.Failure is not null))
                Console.Error.WriteLine($"pinbridge: could not give back {resource}: {failure}; the next run (or `pinbridge cleanup`) sweeps it");
        Environment.Exit(ExitCode);
    }

    /// <summary>What to say when the run ends after an interruption: true only when the ledger is empty.</summary>
    public string Ending()
    {
        var held = Leftovers.Held;
        return held.Count == 0
            ? $"pinbridge: interrupted by {Signal}; everything the run set up was removed"
            : $"pinbridge: interrupted by {Signal}; still held, for the next run (or `pinbridge cleanup`) to give back: {string.Join(", ", held)}";
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancel.Dispose();
    }
}
