using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;
using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Tests.Vm;

/// <summary>One runner for every VM test: the kernel cache ($BRIDGE_CACHE or ~/.cache/bridge) is shared with every
/// other run on this machine, so kernels are fetched once, not per test.</summary>
public sealed class VmFixture
{
    public VmRunner Runner { get; } = new();

    /// <summary>The release a kernel line's package installs modules for (its lib/modules directory name).</summary>
    public async Task<string> PackageReleaseAsync(string line)
    {
        var kernel = await Runner.Cache.GetAsync(KernelSource.Line(line), CancellationToken.None);
        return kernel.Release ?? throw new InvalidOperationException($"{line} has no release");
    }

    /// <summary>Runs a spec and collects the command's output per stream.</summary>
    public async Task<(VmResult Result, List<string> Stdout, List<string> Stderr)> RunAsync(VmSpec spec)
    {
        var stdout = new List<string>();
        var stderr = new List<string>();
        var result = await Runner.RunAsync(spec, line =>
        {
            (line.Stream == GuestStream.Stdout ? stdout : stderr).Add(line.Text);
            return Task.CompletedTask;
        }, CancellationToken.None);
        return (result, stdout, stderr);
    }

    /// <summary>PIDs of live processes whose command line contains <paramref name="marker"/>.</summary>
    public static List<int> ProcessesWith(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
                continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(marker, StringComparison.Ordinal))
                    found.Add(pid);
            }
            catch (IOException)
            {
                // The process exited while we looked.
            }
        }
        return found;
    }
}

[CollectionDefinition(Name)]
public sealed class VmCollection : ICollectionFixture<VmFixture>
{
    // VM tests boot qemu under TCG on a 2-core machine: one at a time.
    public const string Name = "vm";
}
