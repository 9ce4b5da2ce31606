using System.Diagnostics;

namespace Bridge.Linux.Interop;

/// <summary>Runs a system tool (mkfs, ip, rdma, modprobe) to completion: what only a tool does, done by the tool.</summary>
public static class Tool
{
    /// <summary>Runs <paramref name="tool"/> and returns its standard output; a missing tool or a non-zero exit is a
    /// <see cref="ToolException"/> naming the command, its exit code and its standard error.</summary>
    public static string Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ToolException($"{tool} not found ({e.Message}); install its Debian package (make install)");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0
                ? stdout
                : throw new ToolException($"{tool} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result.Trim()}");
        }
    }
}

/// <summary>A tool was missing or failed; the message says which, how, and what it printed.</summary>
public sealed class ToolException(string message) : Exception(message);
