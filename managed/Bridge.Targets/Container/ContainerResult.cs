namespace Bridge.Targets.Container;

/// <summary>Which privilege the container actually ran with.</summary>
public enum PrivilegeMode
{
    Privileged,
    ExplicitCapabilities,
}

public enum OutputStream
{
    StdOut,
    StdErr,
}

/// <summary>One line the container wrote, without its line terminator.</summary>
public readonly record struct OutputLine(OutputStream Stream, string Text)
{
    public override string ToString() => Stream == OutputStream.StdErr ? "! " + Text : Text;
}

/// <summary>How a container run ended. The container is always removed before this is returned.</summary>
/// <param name="ContainerId">The removed container's id.</param>
/// <param name="ExitCode">The command's exit status (137 after a kill on timeout).</param>
/// <param name="TimedOut">The command outlived <see cref="ContainerRunSpec.Timeout"/> and was killed.</param>
/// <param name="Privilege">The privilege mode used (see <see cref="PrivilegeRequest.Probe"/>).</param>
/// <param name="CapabilitiesGranted">CapAdd under <see cref="PrivilegeMode.ExplicitCapabilities"/>; empty when privileged.</param>
/// <param name="Duration">From the create call to the container's removal.</param>
/// <param name="LogTail">The last output lines, both streams in arrival order.</param>
/// <param name="LoopDevicesDetached">Loop devices backed by scratch files that the command left attached and
/// Bridge detached afterwards.</param>
/// <param name="Notes">What the runner had to work around (a refused privileged start, capabilities the engine does
/// not know).</param>
public sealed record ContainerResult(
    string ContainerId,
    long ExitCode,
    bool TimedOut,
    PrivilegeMode Privilege,
    IReadOnlyList<string> CapabilitiesGranted,
    TimeSpan Duration,
    IReadOnlyList<OutputLine> LogTail,
    IReadOnlyList<string> LoopDevicesDetached,
    IReadOnlyList<string> Notes)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;
}
