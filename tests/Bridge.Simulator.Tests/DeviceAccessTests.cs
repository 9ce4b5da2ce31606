using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The device writes and reads through a pin only with the access its path's row says the operation needs
/// (an RDMA WRITE needs remote-write on the MR, an RDMA READ remote-read: rdma_rxe's check_rkey); without it the
/// operation fails with EACCES and the device stays usable — the next operation that has its access succeeds. Found
/// on Debian 6.1 by pinbridge explore: an MR taken with the default access (no remote-read) refused the READ, and the
/// model had let it read.</summary>
public class DeviceAccessTests
{
    public static TheoryData<string, string> PathsAndAccess()
    {
        var data = new TheoryData<string, string>();
        foreach (var path in PinPathTable.All)
        {
            data.Add(path.Name, "");
            // Every single flag the path offers, then all of them (a flag alone may not be accepted: then skipped below).
            foreach (var flag in path.AccessFlags.Keys)
                data.Add(path.Name, flag);
            if (path.AccessFlags.Count > 1)
                data.Add(path.Name, string.Join(',', path.AccessFlags.Keys));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndAccess))]
    public void A_device_operation_needs_the_access_its_row_names_and_a_refused_one_leaves_the_device_usable(string pathName, string access)
    {
        var path = PinPathTable.Find(pathName)!;
        var words = access.Length == 0 ? "" : $" access={access}";
        // tmpfs: an era that takes the pin takes it whatever the access, so only the device's access decides.
        var scenario = Repo.Parse($"backing tmpfs\nmap shared\nfile size=16K block=4K\npin {path.Name}{words}\ndma-read blocks=0 to=out\ndma gen=1 blocks=1\ndma-read blocks=1 to=out\ncheck\n");
        var pinned = scenario.AllSteps().First(s => s.Effect == Effect.Pin).Args.Access!.Value;
        var mayRead = PinPathInfo.Allows(pinned, path.DeviceReadNeeds);
        var mayWrite = PinPathInfo.Allows(pinned, path.DeviceWriteNeeds);

        var pinnedIn = 0;
        foreach (var policy in PolicyCatalog.All)
        {
            var (observation, verdict) = Repo.Judge(scenario, policy);
            if (!observation.ResultOf(0)!.Ok)
                continue; // an era without the path (io_uring before 5.1): its own rows refuse the pin
            pinnedIn++;
            Assert.Equal(mayRead ? null : "EACCES", observation.ResultOf(1)!.Errno);
            Assert.Equal(mayWrite ? null : "EACCES", observation.ResultOf(2)!.Errno);
            Assert.Equal(mayRead ? null : "EACCES", observation.ResultOf(3)!.Errno);
            Assert.False(verdict.HasFindings, $"{policy.Name}: {string.Join("; ", verdict.Findings)}");
        }
        Assert.True(pinnedIn > 0, "no era took the pin");
    }

    [Fact]
    public void The_rdma_rows_name_the_remote_rights_and_the_default_mr_cannot_be_read_by_the_device()
    {
        Assert.Equal(PinAccess.RemoteWrite, PinPathTable.RdmaMr.DeviceWriteNeeds);
        Assert.Equal(PinAccess.RemoteRead, PinPathTable.RdmaMr.DeviceReadNeeds);
        Assert.False(PinPathInfo.Allows(PinPathTable.RdmaMr.DefaultAccess, PinPathTable.RdmaMr.DeviceReadNeeds));
        Assert.True(PinPathInfo.Allows(PinPathTable.UringRegister.DefaultAccess, PinPathTable.UringRegister.DeviceReadNeeds));
    }
}
