using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The policy tables as data: how a policy is found, what a table must hold to load, how rows print and
/// flip, and the memory classes the pin rules turn on.</summary>
public class PolicyCatalogTests
{
    [Theory]
    [InlineData("linux-2019-legacy", "linux-2019-legacy")]
    [InlineData("legacy", "linux-2019-legacy")]
    [InlineData("linux-6.1", "linux-6.1")]
    [InlineData("linux-6.5+", "linux-6.5+")]
    [InlineData("linux-6.12", "linux-6.5+")]
    [InlineData("linux-6.18", "linux-6.5+")]
    public void A_policy_is_found_by_its_name_or_a_kernel_release_it_was_measured_on(string name, string policy) =>
        Assert.Equal(policy, PolicyCatalog.Find(name)?.Name);

    [Theory]
    [InlineData("linux-6.2")]
    [InlineData("linux-5.15")]
    [InlineData("")]
    public void A_release_no_era_was_measured_on_finds_none(string name) => Assert.Null(PolicyCatalog.Find(name));

    [Fact]
    public void Two_rows_for_one_key_are_rejected_at_construction()
    {
        var rows = PolicyCatalog.Linux61.Rows.Append(new SwitchRow(Switch.DirectIoOnShmem, true, "mm/shmem.c")).ToList();
        var error = Assert.Throws<ArgumentException>(() => new Policy("doubled", "", rows));
        Assert.Equal("policy doubled: two rows for 'O_DIRECT on shmem'", error.Message);
    }

    [Fact]
    public void A_table_needs_a_pin_row_for_every_path_memory_class_and_access_it_can_ask()
    {
        var rows = PolicyCatalog.Linux65Plus.Rows.Where(r => r is not PinRow { Path.Name: "rdma-mr", Memory: MemoryClass.Hugetlb, Writable: false }).ToList();
        var error = Assert.Throws<ArgumentException>(() => new Policy("short", "", rows));
        Assert.Equal("policy short: no row for pin rdma-mr hugetlb read-only", error.Message);
        // io_uring always pins for writing: no read-only io_uring row is asked for.
        Assert.DoesNotContain((PinPathTable.UringRegister, false), Policy.PinShapes());
        Assert.Contains((PinPathTable.RdmaMr, false), Policy.PinShapes());
    }

    [Fact]
    public void Every_row_of_every_policy_flips_to_another_value()
    {
        foreach (var row in PolicyCatalog.All.SelectMany(p => p.Rows))
        {
            var flipped = row.Flipped();
            Assert.Equal(row.Key, flipped.Key);
            Assert.NotEqual(row.Value, flipped.Value);
        }
    }

    [Fact]
    public void A_row_prints_as_key_value_and_the_code_it_models()
    {
        Assert.Equal("pin uring-register file-shared writable = EFAULT  [io_uring/rsrc.c]",
            new PinRow(PinPathTable.UringRegister, MemoryClass.FileShared, true, "EFAULT", false, "io_uring/rsrc.c").ToString());
        Assert.Equal("pin rdma-mr anon-private read-only = allow  [umem.c]", new PinRow(PinPathTable.RdmaMr, MemoryClass.AnonPrivate, false, null, false, "umem.c").ToString());
        Assert.Equal("fork copies pinned pages for the child = off  [memory.c]", new SwitchRow(Switch.ForkCopiesPinnedPages, false, "memory.c").ToString());
        Assert.Equal("unpin rdma-mr marks dirty = on  [umem.c]", new UnpinRow(PinPathTable.RdmaMr, true, "umem.c").ToString());
        Assert.Equal(["oops", "warn-and-drop", "write-back"],
            new[] { BufferlessAction.Oops, BufferlessAction.WarnAndDrop, BufferlessAction.WriteBack }.Select(a => new BufferlessRow("ext4", a, [], "inode.c").Value));
    }

    [Fact]
    public void A_policy_with_one_row_replaced_is_named_after_the_change_and_holds_it()
    {
        var changed = PolicyCatalog.Linux61.With(new SwitchRow(Switch.DirectIoOnShmem, true, "mm/shmem.c"));
        Assert.Equal("linux-6.1~O_DIRECT on shmem=on", changed.Name);
        Assert.True(changed.Is(Switch.DirectIoOnShmem));
        Assert.False(PolicyCatalog.Linux61.Is(Switch.DirectIoOnShmem));
        Assert.Equal(PolicyCatalog.Linux61.Rows.Count, changed.Rows.Count);
    }

    [Fact]
    public void Every_switch_and_memory_class_has_its_own_printed_name()
    {
        var switches = Enum.GetValues<Switch>().Select(Switches.Name).ToList();
        Assert.Equal(switches.Count, switches.Distinct().Count());
        var classes = Enum.GetValues<MemoryClass>().Select(m => m.Name()).ToList();
        Assert.Equal(classes.Count, classes.Distinct().Count());
        Assert.All(classes, c => Assert.Matches("^[a-z]+(-[a-z]+)?$", c));
    }

    /// <summary>The distinctions the kernel's pin rules turn on: a file behind the VMA or not, one that writes back
    /// (a disk filesystem) or not (shmem), hugetlbfs (either mapping kind), and whether the mapping is shared.</summary>
    [Fact]
    public void A_backing_and_a_mapping_kind_make_one_memory_class()
    {
        var classes = BackingTable.All.SelectMany(b => new[] { MapKind.Shared, MapKind.Private }.Select(m => (b, m, Class: MemoryClasses.Of(b.Kind, m)))).ToList();
        Assert.All(classes, c => Assert.Equal(c.b.Kind == BackingKind.DiskFs, c.Class is MemoryClass.FileShared or MemoryClass.FilePrivate));
        Assert.All(classes, c => Assert.Equal(c.b.Kind == BackingKind.Shmem, c.Class is MemoryClass.ShmemShared or MemoryClass.ShmemPrivate));
        Assert.All(classes, c => Assert.Equal(c.b.Kind == BackingKind.Anon, c.Class is MemoryClass.AnonShared or MemoryClass.AnonPrivate));
        Assert.All(classes.Where(c => c.b.Kind != BackingKind.Hugetlb), c =>
            Assert.Equal(c.m == MapKind.Shared, c.Class is MemoryClass.FileShared or MemoryClass.ShmemShared or MemoryClass.AnonShared));
        Assert.All(classes.Where(c => c.b.Kind == BackingKind.Hugetlb), c => Assert.Equal(MemoryClass.Hugetlb, c.Class));
        Assert.Equal(Enum.GetValues<MemoryClass>().Length, classes.Select(c => c.Class).Distinct().Count());
    }
}
