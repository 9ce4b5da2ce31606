using System.Collections.Concurrent;
using CliWrap;

namespace Bridge.Linux.Host;

/// <summary>
/// A long-running program that must not outlive this process (qemu): started through <c>setpriv --pdeathsig KILL --
/// setsid</c>, so the kernel kills it when this process dies, even by SIGKILL; and in the run's ledger while it runs,
/// so a sweep ends it should it survive anyway. The parent-death signal fires when the forking <em>thread</em>
/// exits, so every child is forked from one dedicated thread that lives as long as the process, never from a pool
/// thread that may retire. setsid keeps a terminal's Ctrl-C away from it: the caller decides when it stops.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly BlockingCollection<Action> Spawns = [];
    private readonly CancellationTokenSource _kill = new();
    private CommandTask<CommandResult>? _task;
    private LedgerEntry? _entry;

    static ChildProcess()
    {
        var spawner = new Thread(() =>
        {
            foreach (var spawn in Spawns.GetConsumingEnumerable())
                spawn();
        })
        { IsBackground = true, Name = "bridge-child-spawner" };
        spawner.Start();
    }

    private ChildProcess() { }

    /// <summary>A child that outlived its killed run: killed if that very process (pid and start time) still runs.</summary>
    public static LeftoverKind Leftover { get; } = new("process", async value =>
    {
        if (ProcessIdentity.TryParse(value, out var child) && child.IsAlive)
            await HostProcesses.KillAsync(child.Pid);
    });

    public int Pid { get; private set; }

    /// <summary>Completes when the child has exited (or was killed).</summary>
    public Task Exited { get; private set; } = Task.CompletedTask;

    /// <summary>Its exit status once <see cref="Exited"/> completed, null when it was killed.</summary>
    public int? ExitCode { get; private set; }

    /// <exception cref="ToolException">setpriv or <paramref name="program"/> is missing.</exception>
    public static async Task<ChildProcess> StartAsync(string program, IReadOnlyList<string> args, Action<string> onStderrLine)
    {
        var child = new ChildProcess();
        // setpriv sets the parent-death signal and execs setsid, which (not being a group leader, so without forking)
        // starts a new session and execs the program: one process throughout, so the pid is the program's.
        var command = Cli.Wrap(Executables.Require("setpriv"))
            .WithArguments(["--pdeathsig", "KILL", "--", "setsid", "--", Executables.Require(program), .. args])
            .WithStandardErrorPipe(PipeTarget.ToDelegate(onStderrLine))
            .WithValidation(CommandResultValidation.None);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Spawns.Add(() =>
        {
            try
            {
                child._task = command.ExecuteAsync(child._kill.Token);
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        });
        await started.Task;
        child.Pid = child._task!.ProcessId;
        // Its pid and start time exist only now: the parent-death signal covers the moment before the entry.
        if (ProcessIdentity.Of(child.Pid) is { } identity)
            child._entry = RunLedger.Current.Take(Leftover.Kind, identity.ToString());
        child.Exited = child.WaitAsync();
        return child;
    }

    /// <summary>Kills the child if it still runs, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        await _kill.CancelAsync();
        await Exited;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _kill.Dispose();
    }

    private async Task WaitAsync()
    {
        try
        {
            ExitCode = (await _task!).ExitCode;
        }
        catch (OperationCanceledException)
        {
            // Killed by KillAsync.
        }
        finally
        {
            if (_entry is { } entry)
                RunLedger.Current.Release(entry);
        }
    }
}
