using System.Diagnostics;
using System.Globalization;
using Bridge.Agent;
using Bridge.Core.Scenarios;
using Bridge.Targets.Agent;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;

/// <summary>
/// bench vm-stages: where the time of one VM run goes. The agent runs exactly as <see cref="VmTarget"/> starts it
/// (same spec, same request), wrapped in a shell that reports the guest's clock (/proc/uptime) when the command
/// starts and when the agent has exited, and the kernel's own timestamp of starting /init; the agent's messages are
/// timed as they reach the host. Stages: qemu + firmware until the kernel's clock starts, kernel boot to /init, /init
/// to the command (modules, 9p, disks), the agent's start (runtime, JIT or not) to its hello, the scenarios, the
/// agent's end after its last message, and the guest's power-off until qemu has exited and the run returned.
/// </summary>
internal static class VmStages
{
    private static readonly string[] Stages = ["qemu_firmware", "kernel_to_init", "init_to_command", "agent_start", "scenarios", "agent_exit", "poweroff"];

    public static async Task<int> RunAsync(string target, string scenarioFile, int repeat)
    {
        var kernel = KernelSource.Line(target.StartsWith("vm:", StringComparison.Ordinal) ? target[3..] : target);
        var scenarios = ScenarioFile.Parse(File.ReadAllText(scenarioFile), scenarioFile);
        var vm = new VmTarget(kernel);
        var runner = new VmRunner();
        var agent = vm.SpecFor(scenarios);
        await runner.PrepareAsync(agent, CancellationToken.None);
        Console.Error.WriteLine($"vm-stages: the guest runs {string.Join(' ', agent.Command)}");
        const string Wrapper = "echo \"stage command $(cut -d' ' -f1 /proc/uptime)\" >&2; "
            + "echo \"stage init $(dmesg | sed -n 's/^\\[ *\\([0-9.]*\\)\\] Run \\/init as init process.*/\\1/p' | head -n1)\" >&2; "
            + "\"$@\"; rc=$?; echo \"stage exit $(cut -d' ' -f1 /proc/uptime)\" >&2; exit $rc";
        var sums = Stages.ToDictionary(s => s, _ => new List<double>());
        for (var r = 0; r < repeat; r++)
        {
            var clock = Stopwatch.StartNew();
            var at = new Dictionary<string, double>();
            double guestCommand = 0, guestInit = 0;
            var spec = agent with { Command = ["/bin/sh", "-c", Wrapper, "vm-stages", .. agent.Command], StandardInput = vm.Request(scenarios, null) };
            var result = await runner.RunAsync(spec, line =>
            {
                var now = clock.Elapsed.TotalSeconds;
                var words = line.Text.Split(' ');
                if (line.Stream == GuestStream.Stderr && words is ["stage", var stage, var value])
                {
                    at[stage] = now;
                    if (stage == "command")
                        guestCommand = double.Parse(value, CultureInfo.InvariantCulture);
                    else if (stage == "init" && value.Length > 0)
                        guestInit = double.Parse(value, CultureInfo.InvariantCulture);
                }
                else if (line.Stream == GuestStream.Stdout && AgentProtocol.Decode(line.Text) is { } message)
                {
                    at.TryAdd(message.Kind, now);
                    at[message.Kind == "done" ? "done" : "last"] = now;
                }
                return Task.CompletedTask;
            }, CancellationToken.None);
            var end = clock.Elapsed.TotalSeconds;
            if (result is not { Outcome: VmOutcome.Exited, ExitCode: 0 } || !at.ContainsKey("done") || guestInit == 0)
            {
                Console.Error.WriteLine($"{target}: {result.Outcome} {result.ExitCode}: {result.Message}\n{string.Join('\n', result.ConsoleTail)}");
                return 1;
            }
            sums["qemu_firmware"].Add(at["command"] - guestCommand);
            sums["kernel_to_init"].Add(guestInit);
            sums["init_to_command"].Add(guestCommand - guestInit);
            sums["agent_start"].Add(at["hello"] - at["command"]);
            sums["scenarios"].Add(at["done"] - at["hello"]);
            sums["agent_exit"].Add(at["exit"] - at["done"]);
            sums["poweroff"].Add(end - at["exit"]);
            sums.TryAdd("total", []);
            sums["total"].Add(end);
        }
        Console.WriteLine(string.Join(' ', sums.Select(s => FormattableString.Invariant($"{s.Key} {s.Value.Average():0.000}"))));
        return 0;
    }
}
