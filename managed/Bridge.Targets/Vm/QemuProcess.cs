using System.Collections.Concurrent;
using System.Diagnostics;

namespace Bridge.Targets.Vm;

/// <summary>
/// A running qemu. It dies with its owner in every case: <see cref="DisposeAsync"/> kills the process tree and waits
/// for it; and qemu is started through <c>setpriv --pdeathsig KILL -- setsid</c>, so even if this process is killed
/// outright the kernel kills qemu. The parent-death signal fires when the forking <em>thread</em> exits, so every qemu is
/// forked from one dedicated thread that lives as long as the process, never from a pool thread that may retire.
/// </summary>
internal sealed class QemuProcess : IAsyncDisposable
{
    private static readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> SpawnRequests = [];
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource<string> _acceleratorFailure = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static QemuProcess()
    {
        var spawner = new Thread(() =>
        {
            foreach (var (start, started) in SpawnRequests.GetConsumingEnumerable())
            {
                try
                {
                    started.SetResult(Process.Start(start) ?? throw new VmSetupException($"cannot start {start.FileName}"));
                }
                catch (Exception e)
                {
                    started.SetException(e);
                }
            }
        })
        { IsBackground = true, Name = "bridge-vm-spawner" };
        spawner.Start();
    }

    private QemuProcess(Process process)
    {
        _process = process;
        Exited = process.WaitForExitAsync();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
                return;
            _stderr.Enqueue(line);
            // KVM that cannot run this guest does not exit: it reports and stops the vCPU, so watch for it.
            if (line.Contains("KVM internal error", StringComparison.Ordinal) || line.Contains("kvm run failed", StringComparison.Ordinal))
                _acceleratorFailure.TrySetResult(line);
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    /// <summary>Completes when qemu has exited.</summary>
    public Task Exited { get; }

    public int ExitCode => _process.ExitCode;

    /// <summary>Completes with qemu's message when the accelerator failed to run the guest.</summary>
    public Task<string> AcceleratorFailure => _acceleratorFailure.Task;

    /// <summary>What qemu printed on stderr (its own errors, e.g. a kernel it cannot load).</summary>
    public IReadOnlyList<string> Stderr => [.. _stderr];

    public static async Task<QemuProcess> StartAsync(string binary, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo("setpriv")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // setpriv sets the parent-death signal and execs setsid, which (not being a group leader, so without
        // forking) starts a new session and execs qemu: one process throughout, so Process.Id is qemu's pid.
        // The new session keeps a terminal's Ctrl-C away from qemu: the caller's cancellation decides, not a signal
        // racing it (and if the caller dies of that Ctrl-C, the parent-death signal ends qemu).
        foreach (var arg in new[] { "--pdeathsig", "KILL", "--", "setsid", "--", binary }.Concat(args))
            start.ArgumentList.Add(arg);
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        SpawnRequests.Add((start, started));
        Process process;
        try
        {
            process = await started.Task;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VmSetupException($"cannot start qemu through setpriv: {e.Message} (expected util-linux's setpriv and {binary}; see containers/vm/packages.txt)", e);
        }
        process.StandardInput.Close();
        return new QemuProcess(process);
    }

    /// <summary>Kills qemu (the whole process tree) if it still runs, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        await Exited;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
