using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;

namespace Bridge.Targets.Tests;

/// <summary>What a kept image must be: byte for byte what the check read — its blocks decode (with the real codec) to
/// exactly the blocks the observation says that check's O_DIRECT view saw.</summary>
internal static class KeptImages
{
    public static void AssertImageIsWhatTheCheckRead(Scenario scenario, Observation observation, string image, int check)
    {
        Assert.True(File.Exists(image), $"{image} was not kept");
        var bytes = File.ReadAllBytes(image);
        var g = scenario.Geometry;
        var seen = observation.Checks.Single(c => c.Step == check).Views.Single(v => v.File == CheckPlan.DataFile && v.Path == ReadPath.Disk).Blocks;
        var inFile = seen.Where(b => b.State != ReadState.BeyondEof).ToList();
        Assert.Equal((long)inFile.Count * g.BlockSize, bytes.Length);
        var decoded = inFile.Select(b => BlockCodec.Decode(bytes.AsSpan(b.Block * g.BlockSize, g.BlockSize), b.Block, observation.RunId, 1)).ToList();
        Assert.Equal(inFile.Select(b => b.ToString()), decoded.Select(b => b.ToString()));
    }

    /// <summary>The folder a target keeps a scenario's images in.</summary>
    public static string Folder(string root, Scenario scenario) => Path.Combine(root, Evidence.FolderName(scenario.Name));

    public static int LastCheck(Scenario scenario) => scenario.Steps.Last(s => s.Effect == Effect.Check).Index;
}
