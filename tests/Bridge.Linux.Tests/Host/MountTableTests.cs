using Bridge.Linux.Host;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Tests.Host;

public class MountTableTests
{
    [Fact]
    public void A_mountinfo_line_is_split_at_its_separator_and_its_paths_unescaped()
    {
        // Documentation/filesystems/proc.rst's example, with optional fields and a mount point holding a space, a
        // tab and a backslash as the kernel escapes them.
        var line = @"36 35 98:0 /mnt1 /var/tmp/a\040b\011c\134d rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue";
        var entry = Assert.Single(MountTable.Parse([line]));

        Assert.Equal((36, 35), (entry.Id, entry.ParentId));
        Assert.Equal("/mnt1", entry.Root);
        Assert.Equal("/var/tmp/a b\tc\\d", entry.MountPoint);
        Assert.Equal(("ext3", "/dev/root"), (entry.FsType, entry.Source));
    }

    [Theory]
    [InlineData("rw,noatime", "rw,errors=continue", false)]
    [InlineData("ro,noatime", "rw,errors=continue", true)]
    // btrfs after a transaction abort, ext4 after errors=remount-ro: the superblock is read-only, the mount is not.
    [InlineData("rw,relatime", "ro,discard=async,space_cache=v2", true)]
    public void A_mount_is_read_only_when_its_own_or_its_superblocks_options_say_ro(string mountOptions, string superOptions, bool readOnly)
    {
        var line = $"36 35 98:0 / /mnt {mountOptions} shared:7 - btrfs /dev/loop0 {superOptions}";
        Assert.Equal(readOnly, Assert.Single(MountTable.Parse([line])).ReadOnly);
        Assert.Equal(readOnly, MountTable.IsReadOnly("/mnt", MountTable.Parse([line])));
        Assert.False(MountTable.IsReadOnly("/elsewhere", MountTable.Parse([line])));
    }

    [Fact]
    public void Escaped_bytes_are_utf8_like_the_rest_of_the_path() =>
        Assert.Equal("/mnt/é x", MountTable.Unescape(@"/mnt/é\040x"));

    [Fact]
    public void A_line_that_is_not_mountinfo_is_refused() =>
        Assert.Throws<FormatException>(() => MountTable.Parse(["36 35 98:0 /mnt1 /mnt2 rw"]));

    [Fact]
    public void A_real_mount_point_with_a_space_is_found_under_its_directory()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "mounting needs root");
        var parent = Directory.CreateTempSubdirectory("bridge-mounttable-");
        var target = Path.Combine(parent.FullName, "with space");
        Directory.CreateDirectory(target);
        try
        {
            Mounts.Mount("tmpfs", target, "tmpfs", "size=1m");
            Assert.Equal([target], MountTable.Under(parent.FullName));
            Assert.Contains(MountTable.Read(), m => m.MountPoint == target && m.FsType == "tmpfs");
        }
        finally
        {
            Mounts.Unmount(target);
            parent.Delete(recursive: true);
        }
        Assert.Empty(MountTable.Under(parent.FullName));
    }
}
