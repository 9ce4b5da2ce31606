namespace Bridge.Targets.Vm;

/// <summary>Where a host path is inside the guest. The guest sees the host's root over 9p, except /tmp, which is the
/// guest's own tmpfs: the host's /tmp is bound at /run/bridge-host-tmp (containers/vm/init.sh).</summary>
public static class GuestPaths
{
    public const string HostTmp = "/run/bridge-host-tmp";

    public static string Of(string hostPath)
    {
        var full = Path.GetFullPath(hostPath);
        return full == "/tmp" || full.StartsWith("/tmp/", StringComparison.Ordinal) ? HostTmp + full["/tmp".Length..] : full;
    }
}
