using System.Diagnostics;
using System.Globalization;
using Bridge.Targets.Vm;

// Usage: VmBootBench [--repeat N] [KERNEL-LINE …]     (default: debian-6.12 debian-6.1, 3 repeats)
//        VmBootBench --hello                          (what the guest runs: prints one line and exits)
// For each kernel: bare = boot, run `true`, power off; hello = the same running this program with --hello through
// the host's dotnet over 9p. Both are timed from RunAsync's call to its return, after setup (kernel fetch,
// initramfs) is done, so the ratio hello/bare is the cost of starting .NET in the guest.
if (args is ["--hello"])
{
    Console.WriteLine($"hello from {Environment.OSVersion.Version} ({System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription})");
    return 0;
}

var repeat = 3;
var lines = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--repeat" && i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0)
        (repeat, i) = (n, i + 1);
    else if (args[i].StartsWith('-'))
    {
        Console.Error.WriteLine($"unknown option '{args[i]}'; expected: [--repeat N] [KERNEL-LINE …] or --hello");
        return 2;
    }
    else
        lines.Add(args[i]);
}
if (lines.Count == 0)
    lines = ["debian-6.12", "debian-6.1"];

var runner = new VmRunner();
var self = typeof(VmBootBenchMarker).Assembly.Location;
var failed = false;
Console.WriteLine($"{"kernel",-12} {"accel",-5} {"bare boot→poweroff",20} {"boot+dotnet hello",20} {"ratio",6}");
foreach (var line in lines)
{
    var bare = new VmSpec { Kernel = KernelSource.Line(line), Command = ["true"] };
    var hello = bare with { Command = ["dotnet", self, "--hello"], WorkingDirectory = Path.GetDirectoryName(self)! };
    await runner.PrepareAsync(bare, CancellationToken.None);
    var bareTimes = new List<double>();
    var helloTimes = new List<double>();
    Accelerator accelerator = default;
    for (var r = 0; r < repeat; r++)
    {
        foreach (var (spec, times) in new[] { (bare, bareTimes), (hello, helloTimes) })
        {
            var output = new List<string>();
            var clock = Stopwatch.StartNew();
            var result = await runner.RunAsync(spec, l => { output.Add(l.Text); return Task.CompletedTask; }, CancellationToken.None);
            clock.Stop();
            accelerator = result.Accelerator;
            if (result is not { Outcome: VmOutcome.Exited, ExitCode: 0 })
            {
                Console.Error.WriteLine($"{line}: {string.Join(' ', spec.Command)}: {result.Outcome} {result.ExitCode}: {result.Message}");
                Console.Error.WriteLine(string.Join('\n', output.Concat(result.ConsoleTail)));
                failed = true;
                continue;
            }
            times.Add(clock.Elapsed.TotalSeconds);
        }
    }
    if (bareTimes.Count == 0 || helloTimes.Count == 0)
        continue;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{line,-12} {accelerator,-5} {Summary(bareTimes),20} {Summary(helloTimes),20} {helloTimes.Min() / bareTimes.Min(),6:0.00}"));
}
return failed ? 1 : 0;

static string Summary(List<double> seconds) =>
    string.Create(CultureInfo.InvariantCulture, $"{seconds.Min():0.00} s (mean {seconds.Average():0.00})");

internal sealed class VmBootBenchMarker;
