using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Execution;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The model's file writers (<see cref="VerbInfo.File"/>) in every era: the call is refused with its
/// <see cref="FileWriterRow"/>'s errno or runs; a writer that replaces the pages (the verb row on this backing) leaves
/// a pinned page outside the file, where the device's next write goes (an orphaned write), one that writes in place
/// writes the pinned page itself.</summary>
public class FileWriterModelTests
{
    public static TheoryData<string, string, string> Cases() => Cases(v => v.File is not null);

    /// <summary>Every era × every verb of <see cref="FileWriterRules.Verbs"/> that <paramref name="verbs"/> picks × every
    /// backing with a file.</summary>
    internal static TheoryData<string, string, string> Cases(Func<VerbInfo, bool> verbs)
    {
        var data = new TheoryData<string, string, string>();
        foreach (var policy in PolicyCatalog.All)
            foreach (var verb in FileWriterRules.Verbs.Where(verbs))
                foreach (var backing in FileWriterRules.Backings)
                    data.Add(policy.Name, verb.Keyword, backing.Name);
        return data;
    }

    /// <summary>The rows a case names.</summary>
    internal static (Policy Policy, VerbInfo Verb, BackingInfo Backing) Rows(string policyName, string verb, string backing) =>
        (PolicyCatalog.Find(policyName)!, Verbs.Find(verb)!, BackingTable.Find(backing)!);

    internal static string Step(VerbInfo verb, uint gen, string blocks) =>
        verb.File!.Source == FileSource.Zeros ? $"{verb.Keyword} blocks={blocks}" : $"{verb.Keyword} gen={gen} blocks={blocks}";

    private static Content Written(VerbInfo verb, uint gen) => verb.File!.Source == FileSource.Zeros ? Content.Hole : Content.Data(gen);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_era_refuses_a_writer_with_its_rows_errno_or_writes_every_path(string policyName, string verb, string backing)
    {
        var policy = PolicyCatalog.Find(policyName)!;
        var row = Verbs.Find(verb)!;
        var info = BackingTable.Find(backing)!;
        var size = Math.Max(info.PageSize, 16 << 10); // 16 KiB, or one huge page
        var scenario = Repo.Parse($"backing {backing}\nmap shared\nfile size={size} block=4K\nstore gen=1 blocks=0-3\nfsync\n{Step(row, 2, "0-1")}\nfsync\ncheck\n");

        var observation = Simulator.Run(scenario, policy, 1, SimOptions.Default);

        var refusal = policy.FileWriterRefusal(row, info);
        Assert.Equal(refusal, observation.ResultOf(2)!.Errno);
        var expected = refusal is null ? Written(row, 2) : Content.Data(1);
        foreach (var view in observation.Checks.Single().Views.Where(v => v.Unavailable is null))
            Assert.Equal(expected, view.Blocks.Single(b => b.Block == 0).Content);
        Assert.Equal(VerdictClass.Intact, Oracle.Judge(scenario, observation).Class);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_writer_over_a_pinned_page_replaces_it_or_writes_it_as_the_verb_row_says(string policyName, string verb, string backing)
    {
        var policy = PolicyCatalog.Find(policyName)!;
        var row = Verbs.Find(verb)!;
        var info = BackingTable.Find(backing)!;
        var size = Math.Max(info.PageSize, 16 << 10); // 16 KiB, or one huge page
        // The MR lets the device read too (dma-read needs remote-read, the path row's DeviceReadNeeds).
        // Steps: store #0, fsync #1, pin #2, dma #3, writer #4, dma #5, fsync #6, dma-read #7, check #8.
        var scenario = Repo.Parse($"backing {backing}\nmap shared\nfile size={size} block=4K\nstore gen=1 blocks=0-3\nfsync\n" +
            $"pin rdma-mr access=local-write,remote-write,remote-read blocks=0-3\ndma gen=2 blocks=0-1\n{Step(row, 3, "0-1")}\ndma gen=4 blocks=0-1\nfsync\ndma-read blocks=0-1 to=pinned\ncheck\n");

        var observation = Simulator.Run(scenario, policy, 1, SimOptions.Default);
        var verdict = Oracle.Judge(scenario, observation);

        Assert.False(verdict.HasFindings, string.Join("\n", verdict.Findings));
        if (!observation.ResultOf(2)!.Ok || !observation.ResultOf(4)!.Ok)
        {
            Assert.Empty(verdict.OrphanedWrites);
            return;
        }
        var block0 = observation.Checks.Single().Views.Where(v => v.Unavailable is null).ToDictionary(v => (v.File, v.Path), v => v.Blocks.Single(b => b.Block == 0).Content);
        var replaced = row.File!.ReplacesPagesOn(info);
        Assert.Equal(replaced ? Written(row, 3) : Content.Data(4), block0[("data", ReadPath.Buffered)]);
        Assert.Equal(Content.Data(4), block0[("pinned", ReadPath.Buffered)]); // the pinned page: the device's last write either way
        Assert.Equal(replaced ? VerdictClass.OrphanedWrite : VerdictClass.Intact, verdict.Class);
        Assert.Equal(replaced ? [0, 1] : [], verdict.OrphanedWrites.Select(o => o.Block));
    }
}
