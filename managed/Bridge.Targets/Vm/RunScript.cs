using System.Text;
using System.Text.RegularExpressions;

namespace Bridge.Targets.Vm;

/// <summary>
/// The per-run part of the boot image: /bridge/run.env, sourced by /init (containers/vm/init.sh). It carries the
/// end-of-stream nonce, the number of scratch disks to wait for, the shared directory's path (if any), and <c>bridge_run</c>, which runs the command in
/// the host root (<c>chroot /host</c>) with exactly the requested environment and working directory.
/// </summary>
internal static partial class RunScript
{
    /// <summary>Exit code of <c>bridge_run</c> when the working directory does not exist in the guest.</summary>
    public const int NoWorkingDirectoryExitCode = 125;

    public static readonly IReadOnlyDictionary<string, string> DefaultEnvironment = new Dictionary<string, string>
    {
        ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["HOME"] = "/root",
        ["LANG"] = "C.UTF-8",
    };

    public static string Render(VmSpec spec, string nonce)
    {
        if (spec.Command.Count == 0)
            throw new VmSetupException("the VM command is empty (expected argv, e.g. [\"uname\", \"-r\"])");
        if (!spec.WorkingDirectory.StartsWith('/'))
            throw new VmSetupException($"working directory '{spec.WorkingDirectory}' is not absolute (expected a path in the host root, e.g. /work)");
        var environment = new Dictionary<string, string>(DefaultEnvironment);
        foreach (var (key, value) in spec.Environment)
        {
            if (!EnvironmentName().IsMatch(key))
                throw new VmSetupException($"environment variable name '{key}' is not valid (expected letters, digits and _, not starting with a digit)");
            if (key == "BRIDGE_DISKS")
                throw new VmSetupException("BRIDGE_DISKS is set by the guest (the scratch disks' device names); leave it out of the environment");
            environment[key] = value;
        }
        foreach (var text in spec.Command.Append(spec.WorkingDirectory).Concat(environment.Values))
            if (text.Contains('\0'))
                throw new VmSetupException("the VM command, environment and working directory cannot contain NUL characters");

        var script = new StringBuilder();
        script.Append("BRIDGE_NONCE=").Append(Quote(nonce)).Append('\n');
        script.Append("BRIDGE_DISK_COUNT=").Append(spec.ScratchDisks).Append('\n');
        if (spec.SharedDirectory is { } shared)
        {
            if (!shared.StartsWith('/') || !Directory.Exists(shared))
                throw new VmSetupException($"shared directory '{shared}' is not an absolute path to an existing directory (expected one the guest can write, e.g. an --output directory)");
            script.Append("BRIDGE_SHARED=").Append(Quote(GuestPaths.Of(shared))).Append('\n');
        }
        script.Append("bridge_run() {\n    env -i");
        foreach (var (key, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
            script.Append(' ').Append(Quote($"{key}={value}"));
        script.Append(" \"BRIDGE_DISKS=$BRIDGE_DISKS\" chroot /host /bin/sh -c ")
            .Append(Quote($"cd -- \"$1\" || exit {NoWorkingDirectoryExitCode}; shift; exec \"$@\""))
            .Append(" bridge-run ").Append(Quote(spec.WorkingDirectory));
        foreach (var arg in spec.Command)
            script.Append(' ').Append(Quote(arg));
        script.Append("\n}\n");
        return script.ToString();
    }

    /// <summary>POSIX shell single-quoting: the only character needing care inside '…' is ' itself.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();
}
