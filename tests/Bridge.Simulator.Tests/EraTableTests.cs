using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>
/// Each era's table, built here (not the catalog's copy loaded at start), against docs/ARCHITECTURE.md §8, the
/// table of kernel rules the simulator models: every switch, every unpin row, the ext4 buffer-less row, and every
/// pin row — the refusals §8 lists, and "allowed" everywhere else.
/// </summary>
public class EraTableTests
{
    private const string Legacy = "linux-2019-legacy", V61 = "linux-6.1", V65 = "linux-6.5+";

    private static readonly Dictionary<string, Func<Policy>> Tables = new()
    {
        [Legacy] = Legacy2019Table.Create,
        [V61] = Linux61Table.Create,
        [V65] = Linux65PlusTable.Create,
    };

    public static TheoryData<string> Eras => [.. Tables.Keys];

    /// <summary>§8, one line per switch: legacy, 6.1, 6.5+.</summary>
    private static readonly Dictionary<Switch, bool[]> SwitchesOf = new()
    {
        [Switch.WritebackCleansPinnedPages] = [true, true, true],
        [Switch.DirectIoDirtiesOnCompletion] = [true, true, true],
        [Switch.EvictReleasesBuffersOfReferencedPages] = [true, false, false],
        [Switch.DirectIoOnShmem] = [false, false, true],
        [Switch.ForkCopiesPinnedPages] = [false, true, true],
        [Switch.ReadOnlyLongtermPinUnsharesCowPages] = [false, false, true],
        [Switch.RefusedDeviceAccessFlushes] = [false, false, true],
        [Switch.LockedDirectWriteKeepsStoresOut] = [false, false, true],
    };

    /// <summary>§8's refusals: (path, memory, writable) → errno per era (null: allowed), and whether the refusal
    /// comes after GUP faulted the pages in (io_uring's own VMA check before 6.5). Every other pin is allowed.</summary>
    private static readonly Dictionary<(PinPathInfo, MemoryClass, bool), (string? Errno, bool FaultsFirst)[]> Refusals = new()
    {
        [(PinPathTable.RdmaMr, MemoryClass.FileShared, true)] = [(null, false), (null, false), ("EFAULT", false)],
        [(PinPathTable.UringRegister, MemoryClass.FileShared, true)] = [("EOPNOTSUPP", true), ("EOPNOTSUPP", true), ("EFAULT", false)],
        [(PinPathTable.UringRegister, MemoryClass.FilePrivate, true)] = [("EOPNOTSUPP", true), ("EOPNOTSUPP", true), (null, false)],
        [(PinPathTable.UringRegister, MemoryClass.ShmemShared, true)] = [("EOPNOTSUPP", true), (null, false), (null, false)],
        [(PinPathTable.UringRegister, MemoryClass.ShmemPrivate, true)] = [("EOPNOTSUPP", true), (null, false), (null, false)],
        [(PinPathTable.UringRegister, MemoryClass.AnonShared, true)] = [("EOPNOTSUPP", true), (null, false), (null, false)],
    };

    /// <summary>§8 "unpin dirties pages: RDMA MR / io_uring": on / off in every era.</summary>
    private static readonly Dictionary<PinPathInfo, bool> UnpinDirties = new()
    {
        [PinPathTable.RdmaMr] = true,
        [PinPathTable.UringRegister] = false,
    };

    private static int Column(string era) => Tables.Keys.ToList().IndexOf(era);

    [Theory]
    [MemberData(nameof(Eras))]
    public void Every_switch_of_the_era_is_as_the_architecture_table_says(string era)
    {
        var table = Tables[era]();
        Assert.Equal(era, table.Name);
        Assert.All(Enum.GetValues<Switch>(), s => Assert.True(SwitchesOf[s][Column(era)] == table.Is(s), $"{era}: {Switches.Name(s)}"));
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void Every_pin_of_the_era_is_refused_or_allowed_as_the_architecture_table_says(string era)
    {
        var table = Tables[era]();
        foreach (var (path, writable) in Policy.PinShapes())
            foreach (var memory in Enum.GetValues<MemoryClass>())
            {
                var expected = Refusals.TryGetValue((path, memory, writable), out var row) ? row[Column(era)] : (null, false);
                Assert.True(new PinDecision(expected.Errno, expected.FaultsFirst) == table.Pin(path, memory, writable),
                    $"{era}: {path.Name} {memory.Name()} {(writable ? "writable" : "read-only")}");
            }
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void Releasing_a_pin_dirties_its_pages_only_on_the_paths_the_architecture_table_says(string era)
    {
        var table = Tables[era]();
        Assert.All(PinPathTable.All, p => Assert.Equal(UnpinDirties[p], table.UnpinMarksDirty(p)));
    }

    /// <summary>§8's last row: ext4 BUGs on a dirty page without buffers in the legacy era (the oops the seed thread
    /// quoted), warns and drops it from 6.1 on; filesystems without a row write such a page back.</summary>
    [Theory]
    [InlineData(Legacy, BufferlessAction.Oops, "kernel BUG at")]
    [InlineData(V61, BufferlessAction.WarnAndDrop, "EXT4-fs warning")]
    [InlineData(V65, BufferlessAction.WarnAndDrop, "EXT4-fs warning")]
    public void Ext4_writeback_of_a_page_without_buffers_does_what_the_era_does(string era, BufferlessAction action, string logStart)
    {
        var row = Tables[era]().Bufferless(BackingTable.Ext4.FsType);
        Assert.Equal(action, row!.Action);
        Assert.StartsWith(logStart, row.Log[0], StringComparison.Ordinal);
        Assert.Null(Tables[era]().Bufferless(BackingTable.Xfs.FsType));
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void Every_row_of_the_era_names_the_kernel_code_it_models(string era) =>
        Assert.All(Tables[era]().Rows, r => Assert.Matches(@"[\w/]+\.(c|h)\b", r.Models));
}
