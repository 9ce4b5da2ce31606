using Bridge.Core.Oracle;
using Bridge.Core.Probes;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Tests;

/// <summary>The io_uring rows of the pin-policy table, probed on the host kernel, against DESIGN.md §5's 6.5+
/// column: a writable long-term pin of a MAP_SHARED file on a filesystem that needs dirty tracking is refused
/// with EFAULT (mm/gup.c check_vma_flags → writable_file_mapping_allowed, which io_uring delegates to since
/// "io_uring/rsrc: delegate VMA file-backed check to GUP"); everything else is allowed and the data through it
/// is intact.</summary>
public class PolicyTests
{
    private static bool RefusedSince65(PolicyProbe row) => row.Writable && row.Map == MapKind.Shared && row.Backing.Kind == BackingKind.DiskFs;

    [Fact]
    public void TheHostKernelAppliesThe65PlusUringPolicy()
    {
        var release = SystemInfo.KernelRelease.Split('.', '-');
        Assert.SkipUnless((int.Parse(release[0]), int.Parse(release[1])).CompareTo((6, 5)) >= 0, $"the 6.5+ rule needs kernel 6.5 or later; this is {SystemInfo.KernelRelease}");
        var mismatches = new List<string>();
        foreach (var row in PolicyProbes.All(["uring-register"]))
        {
            var scenario = PolicyProbes.ScenarioFor(row);
            var (_, observation, verdict) = KernelRun.Run(scenario.Text, row.Name);
            var cell = ProbeOutcome.From(row, scenario, observation, verdict);
            var expected = RefusedSince65(row) ? ("EFAULT", VerdictClass.Refused) : ("ok", VerdictClass.Intact);
            if ((cell.PinResult, cell.Verdict) != expected)
                mismatches.Add($"{row.Name}: expected {expected}, got ({cell.PinResult}, {cell.Verdict}) {observation.Skip}");
        }
        Assert.Empty(mismatches);
    }
}
