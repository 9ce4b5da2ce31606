namespace Bridge.Core.Blocks;

/// <summary>Block and file size of a scenario's file. Sectors are 512 bytes, the unit a torn write can split on.</summary>
public readonly record struct BlockGeometry(int BlockSize, long FileSize)
{
    public const int SectorSize = 512;

    public int SectorsPerBlock => BlockSize / SectorSize;
    public int BlockCount => checked((int)(FileSize / BlockSize));
    public long OffsetOf(int block) => (long)block * BlockSize;
}

/// <summary>Who writes a block: the run, the file, the block's index, what it holds, by which path and step.</summary>
public readonly record struct BlockStamp(ulong RunId, uint FileId, int Block, uint Gen, uint Iteration, Writer Writer, int Step);
