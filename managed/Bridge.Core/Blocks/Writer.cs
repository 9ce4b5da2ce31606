namespace Bridge.Core.Blocks;

/// <summary>The path that put a sector's bytes into the file page — recorded in every sector header.</summary>
public enum Writer : byte
{
    /// <summary>No writer: the block reads as zeros (or holds no Bridge header).</summary>
    None = 0,
    Initial = 1,
    Cpu = 2,
    ODirect = 3,
    Uring = 4,
    Rdma = 5,
    /// <summary>write(2) into the data file from a buffer (buffered, or O_DIRECT: <see cref="ODirect"/>).</summary>
    Buffered = 6,
    /// <summary>copy_file_range or a clone from another file, whose blocks it stamped for the data file.</summary>
    Copy = 7,
}

public static class Writers
{
    /// <summary>The writer as reports name it: the path a kernel developer knows.</summary>
    public static string Name(this Writer writer) => writer switch
    {
        Writer.None => "no writer",
        Writer.Initial => "initial fill",
        Writer.Cpu => "cpu store",
        Writer.ODirect => "O_DIRECT",
        Writer.Uring => "io_uring",
        Writer.Rdma => "rdma",
        Writer.Buffered => "write(2)",
        Writer.Copy => "copy/clone",
        _ => $"writer {(byte)writer}",
    };
}
