using Bridge.Targets.Container;

namespace Bridge.Targets.Tests.Container;

public sealed class CapabilitiesTests
{
    [Theory]
    [InlineData(0, "CAP_CHOWN")]
    [InlineData(21, "CAP_SYS_ADMIN")]
    [InlineData(24, "CAP_SYS_RESOURCE")]
    [InlineData(37, "CAP_AUDIT_READ")]
    [InlineData(40, "CAP_CHECKPOINT_RESTORE")]
    public void Bits_are_named_as_linux_capability_h_numbers_them(int bit, string name) =>
        Assert.Equal([name], Capabilities.Decode(1UL << bit));

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
    public void Bits_beyond_the_kernel_and_libcap_are_reported_apart()
    {
        var set = Capabilities.Describe((1UL << 63) | 1UL, lastCap: 37);

        Assert.Equal(["CAP_CHOWN"], set.Present);
        // 1-37 are missing; 38-40 are unknown to a kernel whose last is 37.
        Assert.Equal(37, set.Missing.Count);
        Assert.Equal("CAP_DAC_OVERRIDE", set.Missing[0]);
        Assert.Equal("CAP_AUDIT_READ", set.Missing[^1]);
        Assert.Equal([63], set.UnnamedBits);
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
