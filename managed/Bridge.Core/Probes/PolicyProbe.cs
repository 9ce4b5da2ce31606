using System.Text;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Probes;

/// <summary>One probe of a kernel's pin policy (a cell of the table <c>pinbridge policy</c> prints): a backing, a
/// mapping type, a pin path and the access asked. The rules themselves are the simulator's policy rows; a probe
/// asks a kernel what it does.</summary>
public sealed record PolicyProbe(BackingInfo Backing, MapKind Map, PinPathInfo Path, string AccessName, PinAccess Access)
{
    public bool Writable => PinPathInfo.IsWritable(Access);
    public string Name => $"policy[{Backing.Name},{Map.ToString().ToLowerInvariant()},{Path.Name},{AccessName}]";
}

/// <summary>
/// The probes of tools/testing/selftests/mm/gup_longterm.c — every backing × shared/private × pin path × read-write
/// or read-only — plus what that test lacks: the data. Each probe is a scenario that pins, lets the device write
/// (when the pin is writable: once, then again after writeback has cleaned the page), lets it read, syncs, and
/// checks every block, so a probe says both whether the kernel allowed the pin and whether what went through it
/// reached the file — a write through the pin after writeback is what the 2019 thread's kernels lose.
/// </summary>
public static class PolicyProbes
{
    /// <summary>Access variants per path: io_uring always pins read-write; an MR can be asked for either.</summary>
    private static IEnumerable<(string Name, PinAccess Access)> Accesses(PinPathInfo path) =>
        path.AccessFlags.Count == 0
            ? [("rw", path.DefaultAccess)]
            : [("rw", PinAccess.LocalWrite | PinAccess.RemoteWrite | PinAccess.RemoteRead), ("ro", PinAccess.RemoteRead)];

    public static IReadOnlyList<PolicyProbe> All(IEnumerable<string>? pinPaths = null)
    {
        var paths = pinPaths?.Select(p => PinPathTable.Find(p) ?? throw new ArgumentException($"unknown pin path '{p}'")).ToList()
                    ?? PinPathTable.All.ToList();
        return (from backing in BackingTable.All
                from map in new[] { MapKind.Shared, MapKind.Private }
                from path in paths
                from access in Accesses(path)
                select new PolicyProbe(backing, map, path, access.Name, access.Access)).ToList();
    }

    public static Scenario ScenarioFor(PolicyProbe probe)
    {
        var access = probe.Path.AccessFlags.Count == 0 ? "" : " access=" + string.Join(',', probe.Path.AccessFlags.Where(kv => (probe.Access & kv.Value) != 0).Select(kv => kv.Key));
        var sync = probe.Backing.HasFile ? $"{Verbs.Fsync.Keyword}\n" : "";
        var text = new StringBuilder()
            .Append($"scenario {probe.Name}\nbacking {probe.Backing.Name}\nmap {probe.Map.ToString().ToLowerInvariant()}\nfile size=2M block=4K\n")
            .Append($"{Verbs.Store.Keyword} gen=1 blocks=0-15\n").Append(sync)
            .Append($"{Verbs.Pin.Keyword} {probe.Path.Name}{access} blocks=0-15\n")
            // The seed's sequence (scenarios/seed/lost-write-after-writeback.scn): the first device write lands in a page
            // the pin itself dirtied; writeback then cleans and write-protects it, and the second lands behind the
            // kernel's back — only a kernel that handles writeback of pinned pages keeps it.
            .Append(probe.Writable ? $"{Verbs.Dma.Keyword} gen=2 blocks=0-7\n{sync}{Verbs.Dma.Keyword} gen=3 blocks=0-7\n" : "")
            .Append($"{Verbs.DmaRead.Keyword} blocks=0-15 to=out\n").Append(sync).Append($"{Verbs.Check.Keyword}\n")
            .Append($"{Verbs.Unpin.Keyword}\n").Append(sync).Append($"{Verbs.Check.Keyword}\n")
            .ToString();
        return ScenarioFile.Parse(text, "(policy)")[0];
    }
}
