using Bridge.Core.Blocks;

namespace Bridge.Simulator.Model;

/// <summary>What one 512-byte sector holds, as far as a read path would decode it: its content, and the writer and
/// step its header names. The model moves stamps where the kernel moves bytes.</summary>
public readonly record struct Stamp(Content Content, Writer Writer, int Step)
{
    public static readonly Stamp Hole = new(Content.Hole, 0, -1);

    /// <summary>Generation 0, stamped by the executor's setup before the first step.</summary>
    public static readonly Stamp Initial = new(Content.Data(0), Writer.Initial, -1);
}
