namespace Bridge.Core.Blocks;

/// <summary>
/// <see cref="BlockCodec.Decode"/> for the blocks of one file, remembering per block the bytes it last decoded and
/// what they decoded to. Decoding is a pure function of (bytes, block, run, file), so a read that returns the same
/// bytes gets the same <see cref="BlockRead"/> after a byte compare instead of a crc32c pass over every sector. A
/// check reads each file through up to three paths and consecutive checks differ in the few blocks a step touched:
/// most reads are repeats. (Under TCG the crc instruction is emulated and was most of a scenario's guest time.)
/// </summary>
public sealed class DecodeMemo(int blockCount, int blockSize, ulong runId, uint fileId)
{
    private readonly byte[] _bytes = new byte[checked(blockCount * blockSize)];
    private readonly BlockRead?[] _reads = new BlockRead?[blockCount];

    public BlockRead Decode(ReadOnlySpan<byte> data, int block)
    {
        CheckShape(data, block);
        var last = _bytes.AsSpan(block * blockSize, blockSize);
        if (_reads[block] is { } known && data.SequenceEqual(last))
            return known;
        var read = BlockCodec.Decode(data, block, runId, fileId);
        data.CopyTo(last);
        _reads[block] = read;
        return read;
    }

    /// <summary>Records the bytes the writer just stamped into a block (the initial fill), so that the first check
    /// compares what it reads against exactly those bytes instead of decoding them.</summary>
    public void Remember(ReadOnlySpan<byte> stamped, in BlockStamp stamp)
    {
        CheckShape(stamped, stamp.Block);
        if (stamp.RunId != runId || stamp.FileId != fileId)
            throw new ArgumentException($"a stamp of run {stamp.RunId:x}, file {stamp.FileId} in the memo of run {runId:x}, file {fileId}", nameof(stamp));
        stamped.CopyTo(_bytes.AsSpan(stamp.Block * blockSize, blockSize));
        _reads[stamp.Block] = BlockCodec.Stamped(stamp);
    }

    private void CheckShape(ReadOnlySpan<byte> data, int block)
    {
        if (data.Length != blockSize || (uint)block >= (uint)blockCount)
            throw new ArgumentOutOfRangeException(nameof(block), $"block {block} of {data.Length} bytes: this memo holds {blockCount} blocks of {blockSize}");
    }
}
