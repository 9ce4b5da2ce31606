using System.Diagnostics;

namespace Bridge.Targets.Container;

/// <summary>Runs a host program to completion, handing each output line to a callback as it comes.</summary>
internal static class ExternalProcess
{
    /// <summary>Exit code and the last lines of output (stdout and stderr interleaved as they arrived).</summary>
    public sealed record Outcome(int ExitCode, IReadOnlyList<string> Tail);

    /// <summary>A bare program name resolved on PATH, then in the sbin directories, which are often missing from
    /// PATH outside login shells (losetup, umount and dockerd live there on Debian); null when none has it.</summary>
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"])
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    public static async Task<Outcome> RunAsync(string fileName, IEnumerable<string> arguments, Action<string>? onLine, CancellationToken ct, int tailLines = 40)
    {
        if (!fileName.Contains('/'))
            fileName = Find(fileName) ?? throw new ContainerException($"'{fileName}' is not installed (looked on PATH and in the sbin directories)");
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        var tail = new Queue<string>();
        var gate = new object();
        void Line(string? text)
        {
            if (text is null)
                return;
            lock (gate)
            {
                tail.Enqueue(text);
                if (tail.Count > tailLines)
                    tail.Dequeue();
                onLine?.Invoke(text);
            }
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ContainerException($"cannot run '{fileName}': {e.Message}", e);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // Cancelled (Ctrl-C): the child must not outlive us, half-way through a debootstrap or a restore.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }
        lock (gate)
            return new Outcome(process.ExitCode, [.. tail]);
    }
}
