using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bridge.Linux.Host;
using Bridge.Targets.Container;
using Docker.DotNet.Models;

namespace Bridge.Cli.Tests;

/// <summary>
/// What runs of `pinbridge` (by pid) hold on this machine, read without Bridge's own cleanup code: scratch directories
/// named after their pids in /var/tmp and /dev/shm (a container agent's bridge-agent-PID-…, a VM run's
/// TMPDIR/bridge-vm-PID-…), mounts and loop devices under them, their ledgers, qemu processes they started, their
/// containers, and a huge page count raised. And how to start a run as an unprivileged user.
/// </summary>
internal static class HostState
{
    public static List<string> Leaks(IReadOnlyList<int> pids, int hugePagesBefore)
    {
        var mine = new Regex($"bridge-(agent-|vm-)?({string.Join('|', pids)})-");
        var left = new List<string>();
        left.AddRange(File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => mine.IsMatch(m)).Select(m => "mount " + m));
        left.AddRange(Directory.Exists("/sys/block") ? Directory.GetDirectories("/sys/block", "loop*")
            .Select(d => Path.Combine(d, "loop", "backing_file")).Where(File.Exists).Select(File.ReadAllText).Where(b => mine.IsMatch(b)).Select(b => "loop " + b.Trim()) : []);
        foreach (var parent in new[] { "/var/tmp", "/dev/shm", Path.GetTempPath() })
            left.AddRange(Directory.GetDirectories(parent, "bridge-*").Where(d => mine.IsMatch(Path.GetFileName(d) + "-")).Select(d => "directory " + d));
        left.AddRange(Ledgers(pids).Select(l => "ledger " + l));
        left.AddRange(Qemu(mine).Select(p => $"qemu pid {p}"));
        left.AddRange(Containers(pids).Select(c => "container " + c));
        // A run that keeps huge pages leaves the count raised; one lower than before is another run's giving back.
        if (NrHugepages() > hugePagesBefore)
            left.Add($"nr_hugepages {NrHugepages()} (was {hugePagesBefore})");
        return left;
    }

    public static int NrHugepages() => int.Parse(File.ReadAllText("/proc/sys/vm/nr_hugepages").Trim(), CultureInfo.InvariantCulture);

    /// <summary>The runs' ledgers (run-PID-START) in root's state directory.</summary>
    private static IEnumerable<string> Ledgers(IReadOnlyList<int> pids) =>
        Directory.Exists(RunLedger.StateDirectory)
            ? Directory.GetDirectories(RunLedger.StateDirectory, "run-*").Where(d => pids.Any(p => Path.GetFileName(d).StartsWith($"run-{p}-", StringComparison.Ordinal)))
            : [];

    /// <summary>qemu names its run directory (bridge-vm-PID-…) on its command line.</summary>
    private static IEnumerable<int> Qemu(Regex mine)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // exited while we looked
            }
            if (cmdline.StartsWith("qemu-system", StringComparison.Ordinal) && mine.IsMatch(cmdline) && int.TryParse(Path.GetFileName(dir), out var pid))
                yield return pid;
        }
    }

    /// <summary>Containers Bridge made whose owner label names one of the runs, on every engine that answers.</summary>
    private static List<string> Containers(IReadOnlyList<int> pids)
    {
        var found = new List<string>();
        foreach (var engine in DockerEngine.AnsweringAsync().GetAwaiter().GetResult())
        {
            using (engine)
            {
                var all = engine.Client.Containers.ListContainersAsync(new ContainersListParameters
                {
                    All = true,
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [ContainerRunner.ManagedLabel] = true } },
                }).GetAwaiter().GetResult();
                found.AddRange(all.Where(c => c.Labels.TryGetValue(ContainerRunner.OwnerLabel, out var owner) && pids.Any(p => owner.Contains($"/{p}/", StringComparison.Ordinal)))
                    .Select(c => $"{c.ID[..12]} {string.Join(",", c.Names)}"));
            }
        }
        return found;
    }

    /// <summary>Starts a program as nobody:nogroup with no supplementary groups, its output captured.</summary>
    public static Process AsNobody(string program, params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", program, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        // Only what a user's run needs: no root HOME, no state directory of root's.
        start.Environment.Remove("BRIDGE_STATE");
        start.Environment["HOME"] = "/nonexistent";
        return Process.Start(start)!;
    }

    /// <summary>Whether nobody can run the build and read <paramref name="file"/> (not so in a checkout under a
    /// private directory), or why not.</summary>
    public static string? NobodyCannotRun(string file)
    {
        var bridge = Path.Combine(AppContext.BaseDirectory, "pinbridge");
        using var probe = AsNobody("/bin/test", "-x", bridge, "-a", "-r", file);
        probe.WaitForExit();
        return probe.ExitCode == 0 ? null : $"nobody cannot run {bridge} or read {file} (a checkout under a private directory)";
    }

    public static int NobodyUid()
    {
        using var id = Process.Start(new ProcessStartInfo("/usr/bin/id", ["-u", "nobody"]) { RedirectStandardOutput = true })!;
        var uid = id.StandardOutput.ReadToEnd().Trim();
        id.WaitForExit();
        return int.Parse(uid, CultureInfo.InvariantCulture);
    }
}
