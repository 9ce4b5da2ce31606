using System.Collections.Concurrent;
using Bridge.Linux.Host;

namespace Bridge.Targets.Vm;

/// <summary>
/// A running qemu: a <see cref="ChildProcess"/> (it dies with this process, and is in the run's ledger) whose stderr
/// is kept and watched for an accelerator that cannot run the guest. <see cref="DisposeAsync"/> kills it and waits.
/// </summary>
internal sealed class QemuProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource<string> _acceleratorFailure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ChildProcess? _child;

    private QemuProcess() { }

    /// <summary>Completes when qemu has exited.</summary>
    public Task Exited => _child!.Exited;

    /// <summary>qemu's exit status; null when it was killed.</summary>
    public int? ExitCode => _child!.ExitCode;

    /// <summary>Completes with qemu's message when the accelerator failed to run the guest.</summary>
    public Task<string> AcceleratorFailure => _acceleratorFailure.Task;

    /// <summary>What qemu printed on stderr (its own errors, e.g. a kernel it cannot load).</summary>
    public IReadOnlyList<string> Stderr => [.. _stderr];

    /// <exception cref="VmSetupException">setpriv or qemu is missing.</exception>
    public static async Task<QemuProcess> StartAsync(string binary, IReadOnlyList<string> args)
    {
        var qemu = new QemuProcess();
        try
        {
            qemu._child = await ChildProcess.StartAsync(binary, args, qemu.OnStderr);
        }
        catch (ToolException e)
        {
            throw new VmSetupException($"cannot start qemu: {e.Message} (expected util-linux's setpriv and {binary}; see containers/vm/packages.txt)", e);
        }
        return qemu;
    }

    public Task KillAsync() => _child!.KillAsync();

    public ValueTask DisposeAsync() => _child!.DisposeAsync();

    private void OnStderr(string line)
    {
        _stderr.Enqueue(line);
        // KVM that cannot run this guest does not exit: it reports and stops the vCPU, so watch for it.
        if (line.Contains("KVM internal error", StringComparison.Ordinal) || line.Contains("kvm run failed", StringComparison.Ordinal))
            _acceleratorFailure.TrySetResult(line);
    }
}
