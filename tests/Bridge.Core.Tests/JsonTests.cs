using System.Text.Json;
using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Reports;

namespace Bridge.Core.Tests;

public class JsonTests
{
    [Fact]
    public void ViewsTravelAsRunsAndComeBackBlockForBlock()
    {
        var mixed = new BlockRead(5, ReadState.Mixed, default, Sectors: [new SectorRead(SectorKind.Zero, default), new SectorRead(SectorKind.Foreign, default)]);
        List<BlockRead> blocks =
        [
            .. Enumerable.Range(0, 5).Select(b => new BlockRead(b, ReadState.Uniform, Content.Data(1), Writer.Cpu, 0)),
            mixed,
            .. Enumerable.Range(6, 3).Select(b => new BlockRead(b, ReadState.Uniform, Content.Data(2, 7), Writer.Rdma, 4)),
            BlockRead.Eof(9),
            BlockRead.Eof(10),
        ];
        var observation = new Observation("j", 1, new RunEnvironment("t", "k", null), [], [new CheckObservation(3, [new ViewRead("data", ReadPath.Disk, blocks)])], []);

        var json = JsonSerializer.Serialize(observation, BridgeJsonContext.Default.Observation);
        var back = JsonSerializer.Deserialize(json, BridgeJsonContext.Default.Observation)!;

        Assert.Equal(blocks.Select(b => b.ToString()), back.Checks[0].Views[0].Blocks.Select(b => b.ToString()));
        Assert.Equal(blocks.Select(b => b.Block), back.Checks[0].Views[0].Blocks.Select(b => b.Block));
        using var doc = JsonDocument.Parse(json);
        var runs = doc.RootElement.GetProperty("checks")[0].GetProperty("views")[0].GetProperty("blocks");
        Assert.Equal([5, 1, 3, 2], runs.EnumerateArray().Select(r => r.GetProperty("count").GetInt32()));
    }
}
