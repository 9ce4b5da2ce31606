using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge exec --target vm:LINE [--rxe] [--disk FS=SIZE[:MOUNT]]… -- CMD ARGS…</c>: a host command inside
/// a booted kernel (<see cref="VmExec"/>), its output, errors and exit status passed through.</summary>
public static partial class ExecCommand
{
    /// <summary>The command did not finish within --timeout (as timeout(1) exits).</summary>
    public const int TimeoutExitCode = 124;

    /// <summary>The VM could not run the command: the kernel did not boot, panicked, or qemu died (as docker run).</summary>
    public const int VmFailedExitCode = 125;

    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "the kernel: vm:LINE[@VERSION] ('pinbridge kernels' lists them) or vm with --kernel", Required = true };
        var kernel = new Option<string?>("--kernel") { Description = "with --target vm: a bzImage to boot (a kernel you built)" };
        var modules = new Option<string?>("--modules") { Description = "with --kernel: its modules directory (…/lib/modules/RELEASE)" };
        var rxe = new Option<bool>("--rxe") { Description = $"bring soft-RoCE up first: {VmExec.RxeDevice} on {VmExec.RxeNetdev} (rdma_rxe and its modules are loaded)" };
        var disks = new Option<string[]>("--disk") { Description = "a scratch filesystem FS=SIZE[:MOUNTPOINT] on a virtio disk made for the run (default mount point /tmp/FS); repeatable", AllowMultipleArgumentsPerToken = false };
        var timeout = new Option<string>("--timeout") { Description = "how long the command may run before the VM is stopped (500ms, 30s, 10m)", DefaultValueFactory = _ => "10m" };
        var command = new Argument<string[]>("command") { Description = "the command and its arguments, after --; run in the host's root (read-only over 9p) from the current directory", Arity = ArgumentArity.OneOrMore };
        var exec = new Command("exec", $"Boot a kernel under qemu and run a command of this host in it through the same read-only 9p root the agent uses: standard input (when redirected), output and errors pass through, and the exit status is the command's. The guest's /tmp, /run and /dev/shm are its own. Exit: the command's status; {TimeoutExitCode}: --timeout passed (qemu stopped); {VmFailedExitCode}: the VM could not run it (boot failure with the console tail and the reason, kernel panic) or --disk/--rxe setup failed in the guest; 130: interrupted (nothing is left behind); 2: usage.")
        {
            target, kernel, modules, rxe, disks, timeout, command,
        };
        exec.SetAction(async (parse, ct) =>
        {
            var source = Source(parse.GetValue(target)!, parse.GetValue(kernel), parse.GetValue(modules));
            var limit = Duration(parse.GetValue(timeout)!);
            var asked = new List<ExecDisk>();
            foreach (var disk in parse.GetValue(disks) ?? [])
                asked.Add(Usage(() => VmExec.ParseDisk(disk, asked)));
            await using var stdin = Console.IsInputRedirected ? Console.OpenStandardInput() : null;
            var spec = Usage(() => VmExec.Spec(source, parse.GetValue(command)!, asked, parse.GetValue(rxe),
                GuestPaths.Of(Environment.CurrentDirectory), stdin, limit));
            await Bridge.Targets.Leftovers.SweepAsync();
            VmResult result;
            try
            {
                result = await new VmRunner().RunAsync(spec, line =>
                {
                    (line.Stream == GuestStream.Stdout ? Console.Out : Console.Error).WriteLine(line.Text);
                    return Task.CompletedTask;
                }, ct);
            }
            catch (VmSetupException e)
            {
                Console.Error.WriteLine($"pinbridge exec: {e.Message}");
                return VmFailedExitCode;
            }
            if (result.Outcome == VmOutcome.Exited)
                return result.ExitCode ?? VmFailedExitCode;
            Console.Error.WriteLine($"pinbridge exec: {result.Outcome}: {result.Message}");
            if (result.Outcome != VmOutcome.Timeout)
                foreach (var line in result.ConsoleTail)
                    Console.Error.WriteLine($"  console: {line}");
            return result.Outcome == VmOutcome.Timeout ? TimeoutExitCode : VmFailedExitCode;
        });
        return exec;
    }

    private static KernelSource Source(string target, string? kernel, string? modules)
    {
        if (target == "vm")
            return kernel is null
                ? throw new UsageException("--target vm needs --kernel PATH/bzImage [--modules PATH/lib/modules/RELEASE]; or use vm:LINE[@VERSION]")
                : KernelSource.Image(Path.GetFullPath(kernel), modules is null ? null : Path.GetFullPath(modules));
        if (kernel is not null)
            throw new UsageException($"--kernel goes with --target vm, not '{target}'");
        return target.StartsWith("vm:", StringComparison.Ordinal)
            ? TargetOption.KernelLine(target["vm:".Length..])
            : throw new UsageException($"exec runs in a VM: expected --target vm:LINE[@VERSION] or --target vm --kernel PATH, not '{target}'");
    }

    private static TimeSpan Duration(string text)
    {
        var m = DurationRegex().Match(text);
        if (!m.Success || !int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n == 0)
            throw new UsageException($"--timeout {text}: expected a duration such as 500ms, 30s, 10m or 2h");
        return m.Groups[2].Value switch { "ms" => TimeSpan.FromMilliseconds(n), "s" => TimeSpan.FromSeconds(n), "m" => TimeSpan.FromMinutes(n), _ => TimeSpan.FromHours(n) };
    }

    [GeneratedRegex("^([0-9]+)(ms|s|m|h)$")]
    private static partial Regex DurationRegex();

    private static T Usage<T>(Func<T> make)
    {
        try
        {
            return make();
        }
        catch (VmSetupException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
