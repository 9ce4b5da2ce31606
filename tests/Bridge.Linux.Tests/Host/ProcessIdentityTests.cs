using System.Diagnostics;
using Bridge.Linux.Host;

namespace Bridge.Linux.Tests.Host;

public class ProcessIdentityTests
{
    [Fact]
    public void This_process_is_alive_and_round_trips_through_its_text()
    {
        var me = ProcessIdentity.Current;
        Assert.Equal(Environment.ProcessId, me.Pid);
        Assert.True(me.IsAlive);
        Assert.True(ProcessIdentity.TryParse(me.ToString(), out var parsed));
        Assert.Equal(me, parsed);
    }

    [Fact]
    public void A_reused_pid_is_not_the_owner()
    {
        // The same pid with another start time is another process: what a pid reused after the owner died looks like.
        var me = ProcessIdentity.Current;
        Assert.False((me with { StartTicks = me.StartTicks + 1 }).IsAlive);
        Assert.False((me with { BootId = "another-boot" }).IsAlive);
    }

    [Fact]
    public async Task An_exited_process_is_not_alive()
    {
        using var child = Process.Start("/bin/sleep", "30");
        var identity = ProcessIdentity.Of(child.Id);
        Assert.NotNull(identity);
        Assert.True(identity.Value.IsAlive);
        child.Kill();
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.False(identity.Value.IsAlive);
    }

    [Theory]
    [InlineData("")]
    [InlineData("boot/12")]
    [InlineData("boot/x/1")]
    [InlineData("/12/34")]
    public void Malformed_identities_are_refused(string text) => Assert.False(ProcessIdentity.TryParse(text, out _));
}
