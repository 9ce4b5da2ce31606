using System.Diagnostics;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;

namespace Bridge.Cli.Tests;

/// <summary>
/// Root without loop devices — an unprivileged container's /dev has no /dev/loop-control — must not crash a run:
/// the real command runs in a mount namespace whose /dev is a fresh tmpfs holding only the usual character devices.
/// A backing with storage whose filesystem only a loop image can give is skipped with the kernel's refusal; ext4 and
/// the source files of memory backings fall back to the scratch directory when it is on ext4, and are judged.
/// </summary>
[Collection(MachineStateCollection.Name)]
public class NoLoopDeviceTests
{
    private static readonly IReadOnlyList<BackingInfo> Backings = [.. BackingTable.All.Where(b => b.HasFile && b.Kind != BackingKind.Hugetlb)];

    /// <summary>A /dev like a container runtime's default one: no loop-control, no loop devices.</summary>
    private const string ContainerDev = """
        set -e
        mount --make-rprivate /
        mount -t tmpfs -o mode=755 devtmp /dev
        mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5; mknod -m 666 /dev/full c 1 7
        mknod -m 666 /dev/random c 1 8; mknod -m 666 /dev/urandom c 1 9; mknod -m 666 /dev/tty c 5 0
        mkdir /dev/shm && mount -t tmpfs shm /dev/shm
        ln -s /proc/self/fd /dev/fd
        exec "$@"
        """;

    [Fact]
    public async Task Without_loop_control_a_loop_only_backing_is_skipped_with_the_refusal_and_the_rest_is_judged()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root to make a mount namespace");
        var scratch = Directory.CreateTempSubdirectory("bridge-noloop-").FullName;
        var scenario = BridgeProcess.TempScenario($"""
            matrix noloop
            vary backing = {string.Join(' ', Backings.Select(b => b.Name))}
            backing {"{backing}"}
            map shared
            file size=64K block=4K
            store gen=1 blocks=0-15
            odirect-read gen=2 blocks=0-1
            fsync
            check
            """);
        try
        {
            var psi = new ProcessStartInfo("unshare", ["--mount", "--", "sh", "-c", ContainerDev, "sh",
                Path.Combine(AppContext.BaseDirectory, "pinbridge"), "run", "--json", scenario])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            psi.Environment["BRIDGE_SCRATCH"] = scratch;
            using var run = Process.Start(psi)!;
            var stderrRead = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stdout = await run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await run.WaitForExitAsync(TestContext.Current.CancellationToken);
            var stderr = await stderrRead;
            Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{stdout}\n{stderr}");

            var scratchFs = FsType.Of(scratch);
            var verdicts = PrivilegeTests.Verdicts(stdout);
            foreach (var backing in Backings)
            {
                var (verdict, reason) = verdicts[$"noloop[{backing.Name}]"];
                if (backing.HasStorage && backing.FsType != scratchFs)
                {
                    Assert.True(verdict == VerdictClass.Skipped.Name(), $"{backing.Name}: {verdict} ({reason})");
                    Assert.Contains("/dev/loop-control: ENOENT", reason);
                }
                else
                    Assert.True(verdict == VerdictClass.Intact.Name(), $"{backing.Name}: {verdict} ({reason})\n{stderr}");
            }
            Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
        }
        finally
        {
            File.Delete(scenario);
            Directory.Delete(scratch, recursive: true);
        }
    }
}
