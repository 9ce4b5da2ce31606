using Bridge.Core.Blocks;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Repro;

/// <summary>The writers of the block format as C enumerators, from <see cref="Writer"/> itself.</summary>
internal static class CWriters
{
    public static string Of(Writer writer) => $"WRITER_{writer.ToString().ToUpperInvariant()}";

    public static string Cpu => Of(Writer.Cpu);
    public static string ODirect => Of(Writer.ODirect);
    public static string Uring => Of(Writer.Uring);

    public static string Declaration => "enum writer {\n" +
        string.Concat(Enum.GetValues<Writer>().Select(w => $"\t{Of(w)} = {(int)w},\n")) + "};\n";
}

/// <summary>How a reproducer takes a pin path's long-term pin: a row per <see cref="PinPathTable"/> row — the
/// library it links, the C that defines its <c>pin_take</c> / <c>pin_release</c> / <c>device_write</c> /
/// <c>device_read</c>, how it opens its device, and its access flags.</summary>
internal sealed record CPinPath(PinPathInfo Row, string Library, IReadOnlyList<string> Sections, string? DeviceSetup, Func<PinAccess, string> Access);

public static class CPinPaths
{
    internal static readonly IReadOnlyList<CPinPath> All =
    [
        new(PinPathTable.UringRegister, "-luring", [CRuntime.Uring, CRuntime.UringPin], null, _ => "0"),
        new(PinPathTable.RdmaMr, "-libverbs", [CRuntime.VerbsPin], "rdma_open();", IbvAccess),
    ];

    internal static CPinPath For(PinPathInfo row) =>
        All.FirstOrDefault(p => p.Row == row) ?? throw new InvalidOperationException($"pin path {row.Name} has no reproducer row");

    /// <summary>The pin paths a reproducer can take.</summary>
    public static IReadOnlyList<PinPathInfo> Rows => [.. All.Select(p => p.Row)];

    /// <summary>enum ibv_access_flags, as Bridge.Linux's RdmaMrPath maps <see cref="PinAccess"/>.</summary>
    private static string IbvAccess(PinAccess access)
    {
        var flags = new List<string>();
        if ((access & PinAccess.LocalWrite) != 0)
            flags.Add("IBV_ACCESS_LOCAL_WRITE");
        if ((access & PinAccess.RemoteWrite) != 0)
            flags.Add("IBV_ACCESS_REMOTE_WRITE");
        if ((access & PinAccess.RemoteRead) != 0)
            flags.Add("IBV_ACCESS_REMOTE_READ");
        return flags.Count == 0 ? "0" : string.Join(" | ", flags);
    }
}

/// <summary>How a reproducer gets a backing's memory: a row per <see cref="BackingTable"/> row, mirroring
/// Bridge.Linux's BackingProviders — the command-line arguments it takes, the C that opens the data file, extra mmap
/// flags, and whether the initial fill goes through a mapping (hugetlbfs has no write(2)). It never makes a
/// filesystem: the user mounts one and names a directory on it.</summary>
/// <param name="Usage">The arguments, as the usage line shows them; the first is argv[1].</param>
/// <param name="Setup">C run in main: sets S.dir, S.aux_dir and opens the data file (none for anonymous memory).</param>
/// <param name="Mkfs">For a backing with storage: the mkfs command line the program runs on a device given with
/// <c>-d DEVICE</c> (Bridge.Linux's provider row makes its filesystems with the same; a test holds them equal).</param>
internal sealed record CBacking(BackingInfo Row, string Usage, string Setup, string MapFlags, bool FillThroughMapping, IReadOnlyList<string>? Mkfs = null);

public static class CBackings
{
    private const string AuxOnly = "AUXDIR";
    private const string AuxSetup = "\tS.aux_dir = argv[1];\n";

    internal static readonly IReadOnlyList<CBacking> All =
    [
        OnFilesystem(BackingTable.Ext4, ["mkfs.ext4", "-F", "-q", "-E", "nodiscard"]),
        OnFilesystem(BackingTable.Xfs, ["mkfs.xfs", "-f", "-q"]),
        OnFilesystem(BackingTable.Btrfs, ["mkfs.btrfs", "-f", "-q"]),
        new(BackingTable.Tmpfs, "DIR [AUXDIR]",
            "\tS.dir = argv[1];\n\tS.aux_dir = argc > 2 ? argv[2] : argv[1];\n" + RequireFilesystem(BackingTable.Tmpfs) + "\topen_data_in(S.dir);\n",
            "0", false),
        new(BackingTable.Memfd, AuxOnly, AuxSetup + "\topen_data_memfd(0);\n", "0", false),
        new(BackingTable.Hugetlb, AuxOnly, AuxSetup + "\topen_data_memfd(MFD_HUGETLB);\n", "0", true),
        new(BackingTable.Anon, AuxOnly, AuxSetup, "MAP_ANONYMOUS", false),
    ];

    internal static CBacking For(BackingInfo row) =>
        All.FirstOrDefault(b => b.Row == row) ?? throw new InvalidOperationException($"backing {row.Name} has no reproducer row");

    /// <summary>The backings a reproducer can set up.</summary>
    public static IReadOnlyList<BackingInfo> Rows => [.. All.Select(b => b.Row)];

    /// <summary>What the usage text says each argument is.</summary>
    public static string ArgumentHelp(BackingInfo row) => For(row).Usage switch
    {
        AuxOnly => "AUXDIR: a directory on a filesystem with O_DIRECT (ext4) for the source and output files",
        _ when row.HasStorage => $"DIR: a directory on a mounted {row.FsType} filesystem (the data, source and output files go there); " +
                                 $"-d DEVICE: make a {row.FsType} filesystem on DEVICE (its contents are lost) and mount it on DIR first",
        _ => $"DIR: a directory on {row.FsType}; AUXDIR (default DIR): one on a filesystem with O_DIRECT for the source and output files",
    };

    /// <summary>The mkfs command a reproducer runs on <c>-d DEVICE</c>, for a backing with storage.</summary>
    public static IReadOnlyList<string>? MkfsOf(BackingInfo row) => For(row).Mkfs;

    private static CBacking OnFilesystem(BackingInfo row, IReadOnlyList<string> mkfs) =>
        new(row, "[-d DEVICE] DIR",
            "\tS.dir = S.aux_dir = argv[1];\n" +
            $"\tif (device)\n\t\tmake_filesystem(device, S.dir, (const char *const[]){{{string.Join(", ", mkfs.Select(a => $"\"{a}\""))}, device, NULL}}, \"{row.FsType}\");\n" +
            RequireFilesystem(row) + "\topen_data_in(S.dir);\n",
            "0", false, mkfs);

    private static string RequireFilesystem(BackingInfo row) =>
        $"\trequire_filesystem(S.dir, 0x{row.FsMagic:x}L, \"{row.FsType}\");\n";
}
