using System.ComponentModel;
using System.Text;
using CliWrap;

namespace Bridge.Linux.Host;

/// <summary>How a tool run ended: exit code, what it wrote on each stream, and its last lines as they arrived (both
/// streams interleaved) for a failure message.</summary>
public sealed record ToolResult(int ExitCode, string Stdout, string Stderr, IReadOnlyList<string> Tail)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>What the tool said about itself, on one line: its standard error, else its standard output.</summary>
    public string Said => (Stderr.Trim() is { Length: > 0 } err ? err : Stdout.Trim()).ReplaceLineEndings("; ");
}

/// <summary>
/// Runs host tools (mkfs, losetup, ip, rdma, apt-get, dpkg, depmod, xz, a debootstrap script …) through CliWrap: a
/// bare name is found with <see cref="Executables"/>, standard input is empty, output lines reach a callback as they
/// come, and cancellation kills the tool's whole process tree before the call returns.
/// </summary>
public static class Tool
{
    private const int TailLines = 40;

    /// <summary>Runs the tool and returns its standard output.</summary>
    /// <exception cref="ToolException">The tool is missing or exited non-zero; the message has the command line, the
    /// exit code and what the tool said.</exception>
    public static string Run(string tool, params string[] args) =>
        RunCheckedAsync(null, tool, args, CancellationToken.None).GetAwaiter().GetResult().Stdout;

    /// <summary>Runs the tool to its end whatever its exit code.</summary>
    /// <exception cref="ToolException">The tool is missing or cannot be started.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> fired; the tool and its children were killed.</exception>
    public static async Task<ToolResult> RunAsync(string tool, IEnumerable<string> args, CancellationToken ct,
        Action<string>? onLine = null, string? workingDirectory = null)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var tail = new Queue<string>();
        var gate = new Lock();
        PipeTarget Lines(StringBuilder sink) => PipeTarget.ToDelegate(line =>
        {
            lock (gate)
            {
                sink.Append(line).Append('\n');
                tail.Enqueue(line);
                if (tail.Count > TailLines)
                    tail.Dequeue();
                onLine?.Invoke(line);
            }
        });
        var command = Command(tool, args, workingDirectory)
            .WithStandardOutputPipe(Lines(stdout))
            .WithStandardErrorPipe(Lines(stderr));
        var result = await StartAsync(tool, () => command.ExecuteAsync(ct));
        lock (gate)
            return new ToolResult(result.ExitCode, stdout.ToString(), stderr.ToString(), [.. tail]);
    }

    /// <summary>Runs the tool and throws unless it exits 0; <paramref name="what"/> says what the run was for.</summary>
    /// <exception cref="ToolException">Missing, or a non-zero exit: the message quotes the command line and the tool.</exception>
    public static async Task<ToolResult> RunCheckedAsync(string? what, string tool, IReadOnlyList<string> args, CancellationToken ct, string? workingDirectory = null)
    {
        var result = await RunAsync(tool, args, ct, workingDirectory: workingDirectory);
        return result.Succeeded ? result : throw Failed(what, tool, args, result.ExitCode, result.Said);
    }

    /// <summary>The tool's standard output as bytes (a decompressor's), throwing unless it exits 0.</summary>
    /// <exception cref="ToolException">Missing, or a non-zero exit.</exception>
    public static async Task<byte[]> ReadOutputAsync(string tool, IReadOnlyList<string> args, CancellationToken ct)
    {
        using var output = new MemoryStream();
        var stderr = new StringBuilder();
        var command = Command(tool, args, null)
            .WithStandardOutputPipe(PipeTarget.ToStream(output))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr));
        var result = await StartAsync(tool, () => command.ExecuteAsync(ct));
        return result.ExitCode == 0 ? output.ToArray() : throw Failed(null, tool, args, result.ExitCode, stderr.ToString().Trim());
    }

    /// <summary>Streams the tool's standard output into <paramref name="consume"/> (a 100 MB package index is read
    /// once, never held), throwing unless it exits 0.</summary>
    /// <exception cref="ToolException">Missing, or a non-zero exit.</exception>
    public static async Task ReadStreamAsync(string tool, IReadOnlyList<string> args, Func<Stream, CancellationToken, Task> consume, CancellationToken ct)
    {
        var stderr = new StringBuilder();
        var command = Command(tool, args, null)
            .WithStandardOutputPipe(PipeTarget.Create(consume))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr));
        var result = await StartAsync(tool, () => command.ExecuteAsync(ct));
        if (result.ExitCode != 0)
            throw Failed(null, tool, args, result.ExitCode, stderr.ToString().Trim());
    }

    private static CliWrap.Command Command(string tool, IEnumerable<string> args, string? workingDirectory) =>
        Cli.Wrap(Executables.Require(tool))
            .WithArguments(args)
            .WithWorkingDirectory(workingDirectory ?? Environment.CurrentDirectory)
            .WithValidation(CommandResultValidation.None);

    /// <summary>CliWrap reports a program that cannot be started as the runtime's Win32Exception (or wraps it).</summary>
    private static async Task<CommandResult> StartAsync(string tool, Func<CommandTask<CommandResult>> execute)
    {
        try
        {
            return await execute();
        }
        catch (Exception e) when (e is Win32Exception || e.InnerException is Win32Exception)
        {
            throw new ToolException($"'{tool}' cannot be started: {e.GetBaseException().Message} (`make install` installs the Debian packages in containers/*packages.txt)");
        }
    }

    private static ToolException Failed(string? what, string tool, IEnumerable<string> args, int exitCode, string said) =>
        new($"{(what is null ? "" : what + ": ")}{tool} {string.Join(' ', args)} failed (exit {exitCode}): {said}");
}

/// <summary>A tool was missing or failed; the message says which, how, and what it printed.</summary>
public sealed class ToolException(string message) : Exception(message);
