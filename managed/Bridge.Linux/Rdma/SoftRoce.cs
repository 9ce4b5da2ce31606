using Bridge.Linux.Host;

namespace Bridge.Linux.Rdma;

/// <summary>
/// Soft-RoCE (rdma_rxe) on the kernel this process runs on: loads the module where modules load, creates a dummy
/// netdev with an address, and binds an rxe device to it with iproute2's <c>rdma link add</c> (docs/ARCHITECTURE.md §12); the
/// reverse on <see cref="Down"/>. A tool that fails throws <see cref="ToolException"/> with its message. The QP Bridge uses talks to itself through the port's ::ffff:IPv4 GID, so no peer
/// and no real network are needed.
/// </summary>
public static class SoftRoce
{
    public const string Device = "rxe-bridge";
    public const string Netdev = "bridge-rxe0";
    private const string Address = "10.77.0.1/24";

    /// <summary>The rxe device and netdev a killed run set up: removed as <see cref="Down"/> does.</summary>
    public static LeftoverKind Leftover { get; } = new("rxe", _ =>
    {
        Down();
        return Task.CompletedTask;
    });

    /// <summary>Whether <see cref="Up"/> would create anything (then a run records it in its ledger first).</summary>
    public static bool IsUp => Directory.Exists($"/sys/class/net/{Netdev}") && Directory.Exists($"/sys/class/infiniband/{Device}");

    /// <summary>Sets up the rxe device if it is not there; returns what it did.</summary>
    public static IReadOnlyList<string> Up()
    {
        var done = new List<string>();
        if (!Directory.Exists("/sys/module/rdma_rxe"))
        {
            Tool.Run("modprobe", "rdma_rxe");
            done.Add("loaded rdma_rxe");
        }
        // A freshly booted guest has lo down: traffic to the dummy's own address (perftest's TCP handshake) needs it.
        Tool.Run("ip", "link", "set", "lo", "up");
        if (!Directory.Exists($"/sys/class/net/{Netdev}"))
        {
            Tool.Run("ip", "link", "add", Netdev, "type", "dummy");
            Tool.Run("ip", "addr", "add", Address, "dev", Netdev);
            Tool.Run("ip", "link", "set", Netdev, "up");
            done.Add($"created {Netdev} ({Address})");
        }
        if (!Directory.Exists($"/sys/class/infiniband/{Device}"))
        {
            Tool.Run("rdma", "link", "add", Device, "type", "rxe", "netdev", Netdev);
            done.Add($"created {Device} on {Netdev}");
        }
        return done;
    }

    /// <summary>Removes what <see cref="Up"/> created (the module stays: other users may have devices).</summary>
    public static IReadOnlyList<string> Down()
    {
        var done = new List<string>();
        if (Directory.Exists($"/sys/class/infiniband/{Device}"))
        {
            Tool.Run("rdma", "link", "delete", Device);
            done.Add($"deleted {Device}");
        }
        if (Directory.Exists($"/sys/class/net/{Netdev}"))
        {
            Tool.Run("ip", "link", "delete", Netdev);
            done.Add($"deleted {Netdev}");
        }
        return done;
    }

    public static string Status() =>
        Directory.Exists("/sys/class/infiniband")
            ? string.Join('\n', Directory.GetDirectories("/sys/class/infiniband").Select(Path.GetFileName).Select(d => $"rdma device {d}"))
              is { Length: > 0 } s ? s : "no RDMA devices"
            : "no RDMA support in this kernel (/sys/class/infiniband is missing)";
}
