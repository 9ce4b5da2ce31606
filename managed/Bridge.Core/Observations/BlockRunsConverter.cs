using System.Text.Json;
using System.Text.Json.Serialization;
using Bridge.Core.Blocks;

namespace Bridge.Core.Observations;

/// <summary>
/// Writes a view's blocks as runs: consecutive blocks that read the same (same state, content, writer and step)
/// become one <c>{"read": …, "count": N}</c>. A check of a 1024-block file that is intact is a handful of runs
/// instead of 1024 objects — what keeps an agent's stream small under TCG, where every byte costs guest time.
/// </summary>
public sealed class BlockRunsConverter : JsonConverter<IReadOnlyList<BlockRead>>
{
    public override IReadOnlyList<BlockRead> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var runs = JsonSerializer.Deserialize(ref reader, Info<List<BlockRun>>(options)) ?? [];
        return runs.SelectMany(r => Enumerable.Range(0, r.Count).Select(i => r.Read with { Block = r.Read.Block + i })).ToList();
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<BlockRead> value, JsonSerializerOptions options)
    {
        var runs = new List<BlockRun>();
        foreach (var read in value)
        {
            if (runs.Count > 0 && runs[^1] is var last && read.Block == last.Read.Block + last.Count && read.Sectors is null &&
                read == last.Read with { Block = read.Block })
                runs[^1] = last with { Count = last.Count + 1 };
            else
                runs.Add(new BlockRun(read, 1));
        }
        JsonSerializer.Serialize(writer, runs, Info<List<BlockRun>>(options));
    }

    private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) =>
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}

/// <summary>A run of <see cref="Count"/> blocks reading like <see cref="Read"/>, from its block on.</summary>
public sealed record BlockRun(BlockRead Read, int Count);
