using Bridge.Linux.Host;
using Bridge.Linux.Rdma;

namespace Bridge.Targets.Host;

/// <summary>Soft-RoCE (rdma_rxe) on this host's kernel, for <c>pinbridge rxe</c>: what <see cref="SoftRoce"/> does, with
/// a failing tool reported as a <see cref="TargetSetupException"/>.</summary>
public static class SoftRoceSetup
{
    public static string Device => SoftRoce.Device;
    public static string Netdev => SoftRoce.Netdev;

    /// <summary>Sets up the rxe device if it is not there; returns what it did.</summary>
    /// <exception cref="TargetSetupException">A tool (modprobe, ip, rdma) failed.</exception>
    public static IReadOnlyList<string> Up() => Tools(SoftRoce.Up);

    /// <summary>Removes what <see cref="Up"/> created.</summary>
    /// <exception cref="TargetSetupException">A tool failed.</exception>
    public static IReadOnlyList<string> Down() => Tools(SoftRoce.Down);

    public static string Status() => SoftRoce.Status();

    private static IReadOnlyList<string> Tools(Func<IReadOnlyList<string>> action)
    {
        try
        {
            return action();
        }
        catch (ToolException e)
        {
            throw new TargetSetupException(e.Message, e);
        }
    }
}
