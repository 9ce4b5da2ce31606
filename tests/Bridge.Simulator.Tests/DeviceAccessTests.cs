using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The device writes and reads through a pin only with the access its path's row says the operation needs
/// (an RDMA WRITE needs remote-write on the MR, an RDMA READ remote-read: rdma_rxe's check_rkey); without it the
/// operation fails — EACCES, or EIO where the era's rxe flushes it (6.12: the self-connected QP's responder moves
/// the QP to error before the completer reads the NAK) — and the device stays usable — the next operation that has its access succeeds. Found
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

        if (path.RefusedAccess(pinned) is not null)
        {
            // ibv_reg_mr refuses the access itself (remote-write without local-write) in every era: nothing to test here.
            Assert.All(PolicyCatalog.All, policy => Assert.Equal("EINVAL", Repo.Judge(scenario, policy).Observation.ResultOf(0)!.Errno));
            return;
        }
        var pinnedIn = 0;
        foreach (var policy in PolicyCatalog.All)
        {
            var (observation, verdict) = Repo.Judge(scenario, policy);
            if (!observation.ResultOf(0)!.Ok)
                continue; // an era without the path (io_uring before 5.1): its own rows refuse the pin
            pinnedIn++;
            var refused = policy.Is(Switch.RefusedDeviceAccessFlushes) ? "EIO" : "EACCES";
            Assert.Equal(mayRead ? null : refused, observation.ResultOf(1)!.Errno);
            Assert.Equal(mayWrite ? null : refused, observation.ResultOf(2)!.Errno);
            Assert.Equal(mayRead ? null : refused, observation.ResultOf(3)!.Errno);
            Assert.False(verdict.HasFindings, $"{policy.Name}: {string.Join("; ", verdict.Findings)}");
        }
        Assert.True(pinnedIn > 0, "no era took the pin");
    }

    /// <summary>ibv_reg_mr with remote-write but not local-write is EINVAL on the kernel (ib_check_mr_access), checked
    /// before the pages are looked at: on a read-only mapping too (where a writable GUP would say EFAULT), on every
    /// backing, in every era. Found on Debian 6.1 by pinbridge explore (37 disagreements in a 732-scenario boot; the
    /// model had taken the pin).</summary>
    [Theory]
    [InlineData("remote-write", "EINVAL")]
    [InlineData("remote-write,remote-read", "EINVAL")]
    [InlineData("local-write,remote-write", null)]
    [InlineData("remote-read", null)]
    public void An_mr_asking_for_remote_write_without_local_write_is_refused_in_every_era(string access, string? errno)
    {
        foreach (var backing in BackingTable.All)
        {
            var file = $"file size={4 * backing.PageSize} block={backing.PageSize}";
            var scenario = Repo.Parse($"backing {backing.Name}\nmap shared\n{file}\npin rdma-mr access={access}\ncheck\n");
            var readOnly = Repo.Parse($"backing {backing.Name}\nmap shared\n{file}\nmprotect ro\npin rdma-mr access={access}\ncheck\n");
            foreach (var policy in PolicyCatalog.All)
            {
                var pin = Repo.Judge(scenario, policy).Observation.ResultOf(0)!;
                if (errno is null)
                    Assert.True(pin.Errno != "EINVAL", $"{policy.Name} {backing.Name}: {pin.Errno}");
                else
                    Assert.Equal((policy.Name, backing.Name, errno), (policy.Name, backing.Name, pin.Errno));
                if (errno is not null)
                    Assert.Equal(errno, Repo.Judge(readOnly, policy).Observation.ResultOf(1)!.Errno);
            }
        }
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
