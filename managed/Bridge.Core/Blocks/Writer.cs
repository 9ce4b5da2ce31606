namespace Bridge.Core.Blocks;

/// <summary>The path that put a sector's bytes into the file page — recorded in every sector header.</summary>
public enum Writer : byte
{
    Initial = 1,
    Cpu = 2,
    ODirect = 3,
    Uring = 4,
    Rdma = 5,
}
