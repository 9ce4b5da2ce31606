using Bridge.Targets.Container;

namespace Bridge.Targets.Tests.Container;

public sealed class CapabilitiesTests
{
    [Fact]
    public void The_table_follows_linux_capability_h()
    {
        Assert.Equal("CAP_CHOWN", Capabilities.NameByBit[0]);
        Assert.Equal("CAP_SYS_ADMIN", Capabilities.NameByBit[21]);
        Assert.Equal("CAP_SYS_RESOURCE", Capabilities.NameByBit[24]);
        Assert.Equal("CAP_AUDIT_READ", Capabilities.NameByBit[37]);
        Assert.Equal("CAP_CHECKPOINT_RESTORE", Capabilities.NameByBit[40]);
        Assert.Equal(Capabilities.NameByBit.Count, Capabilities.NameByBit.Distinct().Count());
    }

    [Fact]
    public void A_bounding_set_without_sys_resource_names_it_missing()
    {
        // The mask this machine kind has: bits 0-40 except 24.
        var status = "Name:\tcat\nCapInh:\t0000000000000000\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n";
        var set = Capabilities.Describe(Capabilities.ParseBoundingSet(status), lastCap: 40);

        Assert.Equal(0x000001fffeffffffUL, set.Mask);
        Assert.Equal(["CAP_SYS_RESOURCE"], set.Missing);
        Assert.Equal(40, set.Present.Count);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", set.Present);
        Assert.Empty(set.UnnamedBits);
    }

    [Fact]
    public void Bits_beyond_the_kernel_and_the_table_are_reported_apart()
    {
        var set = Capabilities.Describe((1UL << 41) | 1UL, lastCap: 37);

        Assert.Equal(["CAP_CHOWN"], set.Present);
        Assert.Equal(Capabilities.NameByBit.Take(38).Skip(1), set.Missing); // 38-40 are unknown to a kernel whose last is 37
        Assert.Equal([41], set.UnnamedBits);
    }

    [Fact]
    public void The_host_set_matches_proc_self_status()
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal));
        var mask = Convert.ToUInt64(line["CapBnd:".Length..].Trim(), 16);
        var host = Capabilities.HostBoundingSet();

        Assert.Equal(mask, host.Mask);
        for (var bit = 0; bit < Capabilities.NameByBit.Count; bit++)
            Assert.Equal((mask >> bit & 1) == 1, host.Present.Contains(Capabilities.NameByBit[bit]));
    }

    [Theory]
    [InlineData("Name:\tx\n", "no 'CapBnd:' line")]
    [InlineData("CapBnd:\tnot-hex\n", "'not-hex' is not a hexadecimal capability mask")]
    [InlineData("CapBnd:\t\n", "'' is not a hexadecimal capability mask")]
    public void Malformed_status_text_is_refused_with_the_expected_form(string status, string expected)
    {
        var error = Assert.Throws<FormatException>(() => Capabilities.ParseBoundingSet(status));
        Assert.Contains(expected, error.Message);
    }
}
