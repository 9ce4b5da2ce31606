using System.Diagnostics;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;

/// <summary>
/// bench vm-boot: boot-to-poweroff of one kernel line, bare (the guest runs <c>true</c>) and running this program's
/// <c>hello</c> through the host's dotnet over 9p. Both are timed from <see cref="VmRunner.RunAsync"/>'s call to its
/// return after setup (kernel fetch, boot image) is done, so hello/bare is what starting .NET in the guest costs.
/// </summary>
internal static class VmBoot
{
    public static async Task<int> RunAsync(string line, int repeat)
    {
        var runner = new VmRunner();
        var self = typeof(VmBoot).Assembly.Location;
        var bare = new VmSpec { Kernel = KernelSource.Line(line), Command = ["true"] };
        var hello = bare with { Command = ["dotnet", self, "hello"], WorkingDirectory = Path.GetDirectoryName(self)! };
        await runner.PrepareAsync(bare, CancellationToken.None);
        var times = new Dictionary<VmSpec, List<double>> { [bare] = [], [hello] = [] };
        var accelerator = Accelerator.Auto;
        for (var r = 0; r < repeat; r++)
        {
            foreach (var spec in new[] { bare, hello })
            {
                var output = new List<string>();
                var clock = Stopwatch.StartNew();
                var result = await runner.RunAsync(spec, l => { output.Add(l.Text); return Task.CompletedTask; }, CancellationToken.None);
                clock.Stop();
                if (result is not { Outcome: VmOutcome.Exited, ExitCode: 0 })
                {
                    Console.Error.WriteLine($"{line}: {string.Join(' ', spec.Command)}: {result.Outcome} {result.ExitCode}: {result.Message}");
                    Console.Error.WriteLine(string.Join('\n', output.Concat(result.ConsoleTail)));
                    return 1;
                }
                accelerator = result.Accelerator;
                times[spec].Add(clock.Elapsed.TotalSeconds);
            }
        }
        Console.WriteLine(FormattableString.Invariant(
            $"accelerator {accelerator} bare_min {times[bare].Min():0.000} bare_mean {times[bare].Average():0.000} hello_min {times[hello].Min():0.000} hello_mean {times[hello].Average():0.000}"));
        return 0;
    }

    /// <summary>The versions of a kernel line, newest first, as <c>pinbridge bisect</c> lists them (bench/bisect picks its range).</summary>
    public static async Task<int> VersionsAsync(string line)
    {
        var cache = new KernelCache();
        foreach (var version in await cache.VersionsAsync(cache.Recipe.Line(line), CancellationToken.None))
            Console.WriteLine(version.Abi);
        return 0;
    }

    /// <summary>What the guest runs: one line, then exit.</summary>
    public static int Hello()
    {
        Console.WriteLine($"hello from {Environment.OSVersion.Version}");
        return 0;
    }
}
