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
        _ => $"writer {(byte)writer}",
    };
}
