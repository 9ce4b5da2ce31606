using System.Text;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Policy;

/// <summary>One cell of the pin-policy table: a backing, a mapping type, a pin path and the access asked.</summary>
public sealed record PolicyRow(BackingInfo Backing, MapKind Map, PinPathInfo Path, string AccessName, PinAccess Access)
{
    public bool Writable => PinPathInfo.IsWritable(Access);
    public string Name => $"policy[{Backing.Name},{Map.ToString().ToLowerInvariant()},{Path.Name},{AccessName}]";
}

/// <summary>
/// The rows of tools/testing/selftests/mm/gup_longterm.c — every backing × shared/private × pin path × read-write
/// or read-only — plus what that test lacks: the data. Each row is a scenario that pins, lets the device write
/// (when the pin is writable) and read, syncs, and checks every block, so a row says both whether the kernel allowed
/// the pin and whether what went through it reached the file.
/// </summary>
public static class PolicyMatrix
{
    /// <summary>Access variants per path: io_uring always pins read-write; an MR can be asked for either.</summary>
    private static IEnumerable<(string Name, PinAccess Access)> Accesses(PinPathInfo path) =>
        path.AccessFlags.Count == 0
            ? [("rw", path.DefaultAccess)]
            : [("rw", PinAccess.LocalWrite | PinAccess.RemoteWrite | PinAccess.RemoteRead), ("ro", PinAccess.RemoteRead)];

    public static IReadOnlyList<PolicyRow> Rows(IEnumerable<string>? pinPaths = null)
    {
        var paths = pinPaths?.Select(p => PinPathTable.Find(p) ?? throw new ArgumentException($"unknown pin path '{p}'")).ToList()
                    ?? PinPathTable.All.ToList();
        return (from backing in BackingTable.All
                from map in new[] { MapKind.Shared, MapKind.Private }
                from path in paths
                from access in Accesses(path)
                select new PolicyRow(backing, map, path, access.Name, access.Access)).ToList();
    }

    public static Scenario ScenarioFor(PolicyRow row)
    {
        var access = row.Path.AccessFlags.Count == 0 ? "" : " access=" + string.Join(',', row.Path.AccessFlags.Where(kv => (row.Access & kv.Value) != 0).Select(kv => kv.Key));
        var sync = row.Backing.HasFile ? "fsync\n" : "";
        var text = new StringBuilder()
            .Append($"scenario {row.Name}\nbacking {row.Backing.Name}\nmap {row.Map.ToString().ToLowerInvariant()}\nfile size=2M block=4K\n")
            .Append("store gen=1 blocks=0-15\n").Append(sync)
            .Append($"pin {row.Path.Name}{access} blocks=0-15\n")
            .Append(row.Writable ? "dma gen=2 blocks=0-7\n" : "")
            .Append("dma-read blocks=0-15 to=out\n").Append(sync).Append("check\n")
            .Append("unpin\n").Append(sync).Append("check\n")
            .ToString();
        return ScenarioFile.Parse(text, "(policy)")[0];
    }
}
