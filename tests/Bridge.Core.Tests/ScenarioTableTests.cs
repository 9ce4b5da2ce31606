using Bridge.Core.Blocks;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>The facts the backing, pin-path and verb rows hold, checked against each other: a row that
/// contradicts what its kind means is wrong wherever it is read.</summary>
public class ScenarioTableTests
{
    [Fact]
    public void A_backing_has_a_file_unless_it_is_anonymous_memory_and_storage_only_on_a_disk_filesystem()
    {
        Assert.All(BackingTable.All, b => Assert.Equal(b.Kind != BackingKind.Anon, b.HasFile));
        Assert.All(BackingTable.All, b => Assert.Equal(b.Kind == BackingKind.DiskFs, b.HasStorage));
    }

    /// <summary>The filesystem type statfs reports for the file: a disk filesystem's own name, tmpfs for shmem
    /// (memfd included), hugetlbfs for huge pages, none for anonymous memory.</summary>
    [Fact]
    public void A_backing_names_the_filesystem_type_statfs_reports_for_it() =>
        Assert.All(BackingTable.All, b => Assert.Equal(b.Kind switch
        {
            BackingKind.DiskFs => b.Name,
            BackingKind.Shmem => "tmpfs",
            BackingKind.Hugetlb => "hugetlbfs",
            _ => null,
        }, b.FsType));

    [Fact]
    public void Only_hugetlb_holds_its_file_in_pages_larger_than_the_base_page() =>
        Assert.All(BackingTable.All, b => Assert.Equal(b.Kind == BackingKind.Hugetlb ? 2L << 20 : 4096L, b.PageSize));

    /// <summary>A private mapping copies on write the page one PTE maps: a whole huge page on hugetlbfs (hugetlb_wp),
    /// a base page elsewhere (wp_page_copy), never more than the page cache holds together.</summary>
    [Fact]
    public void Only_hugetlb_copies_a_private_mapping_on_write_in_pages_larger_than_the_base_page() =>
        Assert.All(BackingTable.All, b => Assert.Equal(b.Kind == BackingKind.Hugetlb ? b.PageSize : BackingTable.BasePage, b.CowUnit));

    [Fact]
    public void Every_backing_pin_path_and_verb_is_found_by_its_name_and_describes_itself()
    {
        Assert.All(BackingTable.All, b => Assert.Same(b, BackingTable.Find(b.Name)));
        Assert.All(PinPathTable.All, p => Assert.Same(p, PinPathTable.Find(p.Name)));
        Assert.All(Verbs.All, v => Assert.Same(v, Verbs.Find(v.Keyword)));
        Assert.Null(BackingTable.Find("zfs"));
        Assert.Null(PinPathTable.Find("vfio"));
        Assert.Null(Verbs.Find("stor"));
        Assert.All(BackingTable.All.Select(b => b.Description).Concat(PinPathTable.All.Select(p => p.Description)).Concat(Verbs.All.Select(v => v.Help)),
            text => Assert.False(string.IsNullOrWhiteSpace(text)));
    }

    /// <summary>ib_umem_get pins for writing unless the MR is remote-read only; io_uring always pins for writing.</summary>
    [Theory]
    [InlineData(PinAccess.None, false)]
    [InlineData(PinAccess.RemoteRead, false)]
    [InlineData(PinAccess.LocalWrite, true)]
    [InlineData(PinAccess.RemoteWrite, true)]
    [InlineData(PinAccess.RemoteWrite | PinAccess.RemoteRead, true)]
    public void A_pin_is_writable_when_it_asks_for_local_or_remote_write(PinAccess access, bool writable) =>
        Assert.Equal(writable, PinPathInfo.IsWritable(access));

    [Fact]
    public void A_pin_path_without_access_choices_pins_for_writing_and_the_device_writes_under_its_own_name()
    {
        Assert.All(PinPathTable.All.Where(p => p.AccessFlags.Count == 0), p => Assert.True(PinPathInfo.IsWritable(p.DefaultAccess), p.Name));
        Assert.All(PinPathTable.All, p => Assert.True(PinPathInfo.IsWritable(p.DefaultAccess), $"{p.Name}: a pin without access= is writable"));
        Assert.Equal(PinPathTable.All.Count, PinPathTable.All.Select(p => p.DeviceWriter).Distinct().Count());
        Assert.DoesNotContain(PinPathTable.All, p => p.DeviceWriter is Writer.Initial or Writer.Cpu or Writer.ODirect);
    }

    /// <summary>A verb that writes data records a writer in every sector (the initial fill's is reserved); one
    /// that only persists, hints, pins or checks writes nothing of its own.</summary>
    [Fact]
    public void A_verb_that_writes_the_mapping_names_its_writer_and_only_those_do()
    {
        Assert.All(Verbs.All.Where(v => v.Effect is Effect.WriteMapping or Effect.CopyFromMapping or Effect.ForkWrite), v =>
            Assert.NotEqual(0, (int)v.Writer));
        Assert.All(Verbs.All.Where(v => v.Effect is Effect.Persist or Effect.Evict or Effect.Protect or Effect.Pin or Effect.Unpin or Effect.Check or Effect.Race or Effect.Unmap), v =>
            Assert.Equal(0, (int)v.Writer));
        Assert.DoesNotContain(Verbs.All, v => v.Writer == Writer.Initial);
    }

    [Fact]
    public void Only_file_steps_need_a_file_and_a_race_never_holds_a_step_that_reshapes_the_mapping()
    {
        Assert.All(Verbs.All.Where(v => v.Effect is Effect.Persist or Effect.Resize or Effect.Punch), v => Assert.True(v.NeedsFile, v.Keyword));
        Assert.All(Verbs.All.Where(v => v.Effect is Effect.WriteMapping or Effect.WriteThroughPin or Effect.Pin or Effect.Check), v => Assert.False(v.NeedsFile, v.Keyword));
        Assert.All(Verbs.All.Where(v => v.Effect is Effect.Resize or Effect.Punch or Effect.Pin or Effect.Unpin or Effect.Unmap or Effect.Race or Effect.Check or Effect.ForkWrite),
            v => Assert.False(v.AllowedInRace, v.Keyword));
        Assert.All(Verbs.All.Where(v => v.Effect is Effect.WriteMapping or Effect.WriteThroughPin or Effect.Persist or Effect.CopyFromMapping or Effect.CopyThroughPin),
            v => Assert.True(v.AllowedInRace, v.Keyword));
    }
}
