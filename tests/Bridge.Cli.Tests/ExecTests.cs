using System.Diagnostics;

namespace Bridge.Cli.Tests;

/// <summary>
/// <c>pinbridge exec</c> as a user runs it: the real executable booting the debian-6.12 line under qemu, a host command
/// inside. Exit status, stdout, stderr and stdin pass through (stdin streamed, byte for byte); a hanging command ends at --timeout with 124; Ctrl-C
/// (SIGINT) ends the run with 130 and leaves no qemu and no run directory. Bad options are usage errors before any boot.
/// </summary>
public sealed class ExecTests
{
    private const string Line = "vm:debian-6.12";

    private static void RequireBoot() => Assert.SkipUnless(
        Environment.GetEnvironmentVariable("BRIDGE_IN_CONTAINER") is not { Length: > 0 } && File.Exists("/usr/bin/qemu-system-x86_64") && File.Exists("/bin/busybox"),
        "needs qemu and busybox on the host, outside the test container (make install)");

    private static Process Start(string? stdin, params string[] args)
    {
        var process = Launch(args);
        process.StandardInput.Write(stdin ?? "");
        process.StandardInput.Close();
        return process;
    }

    /// <summary>Starts the command with its standard input open.</summary>
    private static Process Launch(params string[] args)
    {
        // env restores SIGINT/SIGTERM: a test host started in the background by a non-interactive shell inherits them ignored.
        var psi = new ProcessStartInfo("/usr/bin/env", ["--default-signal=INT,TERM", Path.Combine(AppContext.BaseDirectory, "pinbridge")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = BridgeProcess.RepoRoot,
        };
        foreach (var a in args.Prepend("exec"))
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string? stdin, params string[] args)
    {
        using var process = Start(stdin, args);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        AssertNothingLeft(process.Id);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>No qemu of the run and no run directory (both are named bridge-vm-PID-…).</summary>
    private static void AssertNothingLeft(int pid)
    {
        var marker = $"bridge-vm-{pid}-";
        var processes = Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Where(d =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(d, "cmdline")).Contains(marker, StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
            });
        Assert.Empty(processes);
        Assert.Empty(Directory.GetDirectories(Path.GetTempPath(), marker + "*"));
    }

    [Fact]
    public async Task ExitStatusOutputErrorsAndStandardInputPassThrough()
    {
        RequireBoot();
        var (exit, stdout, stderr) = await RunAsync("line one\nline two\n", "--target", Line, "--", "sh", "-c", "cat; echo \"to stderr $0\" >&2; exit 7", "arg0");

        Assert.Equal(7, exit);
        Assert.Equal("line one\nline two\n", stdout);
        Assert.Equal("to stderr arg0\n", stderr);
    }

    [Fact]
    public async Task StandardInputStreamsAsTheCommandReadsItAndKeepsEveryByte()
    {
        RequireBoot();
        // Not UTF-8: every byte value, many times over, as a binary pipe would carry them.
        var binary = Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i * 7 + (i >> 8))).ToArray();
        using var process = Launch("--target", Line, "--", "sh", "-c", "read -r line; echo \"got $line\"; sha256sum");
        var ct = TestContext.Current.CancellationToken;
        await process.StandardInput.WriteAsync("ping\n".AsMemory(), ct);
        await process.StandardInput.FlushAsync(ct);

        // The answer comes while the input is still open: the guest reads it as it is written, not at its end.
        // (A boot under TCG takes seconds; minutes without an answer means the input was held back until its end.)
        Assert.Equal("got ping", await process.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromMinutes(3), ct));
        await process.StandardInput.BaseStream.WriteAsync(binary, ct);
        process.StandardInput.Close();
        var rest = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);

        Assert.Equal(0, process.ExitCode);
        Assert.Equal($"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(binary))}  -\n", rest);
        AssertNothingLeft(process.Id);
    }

    [Fact]
    public async Task AFailingCommandGivesItsOwnStatusAndMessage()
    {
        RequireBoot();
        var (exit, stdout, stderr) = await RunAsync(null, "--target", Line, "--", "ls", "/no/such/path");

        Assert.Equal(2, exit); // ls: "serious trouble", as on the host
        Assert.Equal("", stdout);
        Assert.Contains("/no/such/path", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHangingCommandIsStoppedAtTheTimeoutWith124()
    {
        RequireBoot();
        var (exit, stdout, stderr) = await RunAsync(null, "--target", Line, "--timeout", "5s", "--", "sh", "-c", "echo started; sleep 600");

        Assert.Equal(124, exit);
        Assert.Equal("started\n", stdout);
        Assert.Contains("Timeout: the command did not finish within 5 s; qemu was killed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CtrlCStopsTheVmAndLeavesNothing()
    {
        RequireBoot();
        using var process = Start(null, "--target", Line, "--", "sh", "-c", "echo started; sleep 600");
        var first = await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken);
        Assert.Equal("started", first);

        Assert.Equal(0, Tmds.Linux.LibC.kill(process.Id, Tmds.Linux.LibC.SIGINT));
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(130, process.ExitCode);
        Assert.Contains("interrupted", stderr, StringComparison.Ordinal);
        AssertNothingLeft(process.Id);
    }

    [Theory]
    [InlineData("--disk", "zfs=1G", "--disk 'zfs=1G': unknown filesystem 'zfs'; expected --disk FS=SIZE[:MOUNTPOINT] with FS one of ext4, xfs, btrfs")]
    [InlineData("--disk", "ext4=1", "--disk 'ext4=1': a disk is a multiple of 512 bytes and at least 1M")]
    [InlineData("--timeout", "soon", "--timeout soon: expected a duration such as 500ms, 30s, 10m or 2h")]
    [InlineData("--target", "host", "exec runs in a VM: expected --target vm:LINE[@VERSION] or --target vm --kernel PATH, not 'host'")]
    [InlineData("--target", "vm:debian-4.0", "unknown kernel line 'debian-4.0'; expected vm:LINE[@VERSION] with LINE one of: debian-6.1, debian-6.12,")]
    public async Task BadOptionsAreUsageErrorsBeforeAnyBoot(string option, string value, string expected)
    {
        var args = option == "--target" ? new[] { option, value, "--", "true" } : ["--target", Line, option, value, "--", "true"];
        var (exit, _, stderr) = await RunAsync(null, args);

        Assert.Equal(2, exit);
        Assert.StartsWith("pinbridge: " + expected, stderr, StringComparison.Ordinal);
    }
}
