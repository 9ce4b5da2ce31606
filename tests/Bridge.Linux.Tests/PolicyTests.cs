using Bridge.Core.Oracle;
using Bridge.Core.Probes;
using Bridge.Linux.Interop;
using Bridge.Tests.Shared;

namespace Bridge.Linux.Tests;

/// <summary>The io_uring rows of the pin-policy table (gup_longterm's matrix), probed on the host kernel, against the
/// pin rows of the era measured on this kernel: on 6.5+ a writable long-term pin of a MAP_SHARED file on a
/// filesystem that needs dirty tracking is refused with EFAULT (mm/gup.c check_vma_flags →
/// writable_file_mapping_allowed, which io_uring delegates to), on 6.1 io_uring refuses every disk-filesystem
/// mapping itself (EOPNOTSUPP). Where the pin is allowed, the data through it is judged as that era's model says.</summary>
public class PolicyTests
{
    [Fact]
    public void TheHostKernelAppliesItsErasUringRows()
    {
        var era = PinRules.EraOf(SystemInfo.KernelRelease);
        var mismatches = new List<string>();
        foreach (var row in PolicyProbes.All(["uring-register"]))
        {
            var scenario = PolicyProbes.ScenarioFor(row);
            var (_, observation, verdict) = KernelRun.Run(scenario.Text, row.Name);
            var cell = ProbeOutcome.From(row, scenario, observation, verdict);
            var expected = (PinRules.ExpectedPinResult(era, scenario), Oracle.Judge(scenario, Simulator.Simulator.Run(scenario, era, observation.RunId)).Class);
            if ((cell.PinResult, cell.Verdict) != expected)
                mismatches.Add($"{row.Name}: {era.Name} says {expected}, got ({cell.PinResult}, {cell.Verdict}) {observation.Skip}");
        }
        Assert.Empty(mismatches);
    }
}
