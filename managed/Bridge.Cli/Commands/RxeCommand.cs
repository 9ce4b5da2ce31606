using System.CommandLine;
using Bridge.Targets;
using Bridge.Targets.Host;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge rxe up|down|status</c>: soft-RoCE on the kernel Bridge runs on (a VM's, or a host's with rdma_rxe).</summary>
public static class RxeCommand
{
    public static Command Create()
    {
        var up = new Command("up", $"Load rdma_rxe, create the dummy netdev {SoftRoceSetup.Netdev} with an address and the rxe device {SoftRoceSetup.Device} on it.");
        up.SetAction(_ => Do(SoftRoceSetup.Up));
        var down = new Command("down", "Remove the rxe device and the netdev that 'up' created.");
        down.SetAction(_ => Do(SoftRoceSetup.Down));
        var status = new Command("status", "List the RDMA devices of this kernel.");
        status.SetAction(_ =>
        {
            Console.WriteLine(SoftRoceSetup.Status());
            return 0;
        });
        return new Command("rxe", "Set up or tear down soft-RoCE (rdma_rxe) for the rdma-mr pin path.") { up, down, status };
    }

    private static int Do(Func<IReadOnlyList<string>> action)
    {
        try
        {
            var done = action();
            Console.WriteLine(done.Count == 0 ? "nothing to do" : string.Join('\n', done));
            return 0;
        }
        catch (TargetSetupException e)
        {
            Console.Error.WriteLine($"pinbridge rxe: {e.Message}");
            return 1;
        }
    }
}
