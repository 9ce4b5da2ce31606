using System.Diagnostics;

namespace Bridge.Targets.Vm;

/// <summary>Runs a host tool to completion and captures its output; failures become a
/// <see cref="VmSetupException"/> that quotes the command line and the tool's own stderr.</summary>
internal static class ExternalCommand
{
    public sealed record Output(int ExitCode, string Stdout, string Stderr);

    public static async Task<Output> RunAsync(string program, IEnumerable<string> args, string? workingDirectory, CancellationToken ct)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new VmSetupException($"cannot start '{program}'");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VmSetupException($"cannot start '{program}': {e.Message} (is it installed? see containers/vm/packages.txt)", e);
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            return new Output(process.ExitCode, await stdout, await stderr);
        }
    }

    /// <summary>Runs the tool and throws unless it exits 0; <paramref name="what"/> says what the step was for.</summary>
    public static async Task<Output> RunCheckedAsync(string what, string program, IReadOnlyList<string> args, string? workingDirectory, CancellationToken ct)
    {
        var output = await RunAsync(program, args, workingDirectory, ct);
        if (output.ExitCode != 0)
        {
            var said = (output.Stderr.Trim() is { Length: > 0 } err ? err : output.Stdout.Trim()).ReplaceLineEndings("; ");
            throw new VmSetupException($"{what}: '{program} {string.Join(' ', args)}' exited with {output.ExitCode}: {said}");
        }
        return output;
    }
}
