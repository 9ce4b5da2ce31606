using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;
using Bridge.Tests.Shared;

namespace Bridge.Linux.Tests;

/// <summary>Every file writer (the rows with <see cref="VerbInfo.File"/>) on every backing with a file, shared and
/// private, on the host kernel: the call returns what this era's row says (refused with the row's errno, or ok), the
/// written blocks read back as the writer's content on every path, a write past EOF grows the file, and the oracle's
/// verdict is the model's.</summary>
public class FileWriterStepTests
{
    public static TheoryData<string, string, string> Cases() => Cases(v => v.File is not null);

    /// <summary>Every verb <paramref name="verbs"/> picks × every backing with a file × shared and private.</summary>
    internal static TheoryData<string, string, string> Cases(Func<VerbInfo, bool> verbs)
    {
        var data = new TheoryData<string, string, string>();
        foreach (var verb in Verbs.All.Where(verbs))
            foreach (var backing in BackingTable.All.Where(b => b.HasFile))
                foreach (var map in new[] { "shared", "private" })
                    data.Add(verb.Keyword, backing.Name, map);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_file_writer_returns_what_the_eras_row_says_and_its_data_is_what_every_path_reads(string verb, string backing, string map)
    {
        var era = PinRules.EraOf(SystemInfo.KernelRelease);
        var row = Verbs.Find(verb)!;
        var info = BackingTable.Find(backing)!;
        string Step(uint gen, string blocks) => row.File!.Source == FileSource.Zeros ? $"{verb} blocks={blocks}" : $"{verb} gen={gen} blocks={blocks}";
        // Steps: store #0, fsync #1, writer #2, check #3, truncate #4, writer past the new end #5, fsync #6, check #7.
        var text = $"backing {backing}\nmap {map}\nfile size=4M block=4K\nstore gen=1 blocks=0-15\nfsync\n{Step(2, "0-3")}\ncheck\n" +
                   $"truncate size=2M\n{Step(3, "600-601")}\nfsync\ncheck\n";

        var (scenario, observation, verdict) = KernelRun.Run(text);

        Assert.Null(observation.Skip);
        var refusal = era.FileWriterRefusal(row, info);
        foreach (var index in new[] { 2, 5 })
            Assert.True(observation.ResultOf(index)!.Errno == refusal,
                $"{scenario.StepAt(index)}: {era.Name}'s row says {refusal ?? "ok"}, this kernel {observation.ResultOf(index)} {observation.ResultOf(index)!.Detail}");
        var buffered = observation.Checks[0].Views.Single(v => v.File == "data" && v.Path == ReadPath.Buffered);
        var written = row.File!.Source == FileSource.Zeros ? Content.Hole : Content.Data(2);
        // Refused, the file keeps what it had: generation 1 where the stores reached it (shared), the initial fill where
        // they went to the private mapping's copies.
        Assert.Equal(refusal is null ? written : Content.Data(map == "shared" ? 1u : 0u), buffered.Blocks.Single(b => b.Block == 0).Content);
        var grown = observation.Checks[1].Views.Single(v => v.File == "data" && v.Path == ReadPath.Buffered).Blocks;
        Assert.Equal(refusal is null ? ReadState.Uniform : ReadState.BeyondEof, grown.Single(b => b.Block == 600).State);

        Assert.False(verdict.HasFindings, KernelRun.Explain(scenario, observation, verdict));
        var model = Simulator.Simulator.Run(scenario, era, observation.RunId);
        var modelVerdict = Oracle.Judge(scenario, model);
        Assert.True(verdict.Class == modelVerdict.Class, $"{era.Name} says {modelVerdict.Class}; this kernel: " + KernelRun.Explain(scenario, observation, verdict));
    }
}
