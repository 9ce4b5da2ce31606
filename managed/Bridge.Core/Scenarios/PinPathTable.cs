namespace Bridge.Core.Scenarios;

using Bridge.Core.Blocks;

/// <summary>Access a long-term pin asks for. For RDMA these are the ibv_reg_mr access flags; io_uring buffer
/// registration always pins for writing.</summary>
[Flags]
public enum PinAccess
{
    None = 0,
    LocalWrite = 1,
    RemoteWrite = 2,
    RemoteRead = 4,
}

/// <summary>A long-term pin path: a row of facts, like a row of gup_longterm.c's test table. How the real executor
/// takes it is its class under Bridge.Linux/PinPaths; how each era's kernel treats it, the simulator's policy rows.</summary>
/// <param name="DeviceWriter">The writer recorded in blocks the "device" writes through this pin.</param>
/// <param name="AccessFlags">Access names the scenario may give; empty when the path has no choice.</param>
/// <param name="DefaultAccess">Access when the scenario gives none.</param>
/// <param name="VmModuleGroup">The module group of containers/vm/recipe.json a VM loads for its device (null: none).</param>
public sealed record PinPathInfo(
    string Name, Writer DeviceWriter, IReadOnlyDictionary<string, PinAccess> AccessFlags, PinAccess DefaultAccess, string? VmModuleGroup, string Description)
{
    /// <summary>Whether a pin with this access asks GUP for FOLL_WRITE — the bit the 6.5+ file-mapping rule keys on.
    /// ib_umem_get: writable unless the MR is remote-read only (drivers/infiniband/core/umem.c,
    /// ib_access_writable); io_uring_register buffers: always FOLL_WRITE (io_uring/rsrc.c).</summary>
    public static bool IsWritable(PinAccess access) => (access & (PinAccess.LocalWrite | PinAccess.RemoteWrite)) != 0;

    /// <summary>Access the pin must have for the device to write through it (<c>dma</c>); without it the device's
    /// write is refused (EACCES). RDMA WRITE needs IB_ACCESS_REMOTE_WRITE on the MR (rdma_rxe rxe_resp.c check_rkey →
    /// lookup_mr(pd, IB_ACCESS_REMOTE_WRITE, …)).</summary>
    public PinAccess DeviceWriteNeeds { get; init; }

    /// <summary>Access the pin must have for the device to read through it (<c>dma-read</c>): RDMA READ needs
    /// IB_ACCESS_REMOTE_READ (the same check_rkey).</summary>
    public PinAccess DeviceReadNeeds { get; init; }

    /// <summary>Access flags the registration refuses unless <see cref="PinAccess.LocalWrite"/> comes with them: RDMA
    /// remote write (ib_uverbs_reg_mr → ib_check_mr_access, include/rdma/ib_verbs.h: "Local write permission is
    /// required if remote write or remote atomic permission is also requested", EINVAL before any page is pinned; the
    /// same check has stood in uverbs since the first releases, so every era has it).</summary>
    public PinAccess NeedsLocalWrite { get; init; }

    /// <summary>Why a pin with <paramref name="access"/> is refused (EINVAL) before anything is pinned, or null.</summary>
    public string? RefusedAccess(PinAccess access) =>
        (access & NeedsLocalWrite) != 0 && (access & PinAccess.LocalWrite) == 0
            ? $"{Name}: {access & NeedsLocalWrite} without local-write is refused (ib_check_mr_access)"
            : null;

    /// <summary>Whether a pin taken with <paramref name="access"/> lets the device do what needs <paramref name="needs"/>.</summary>
    public static bool Allows(PinAccess access, PinAccess needs) => (access & needs) == needs;
}

public static class PinPathTable
{
    public static readonly PinPathInfo UringRegister = new("uring-register", Writer.Uring, new Dictionary<string, PinAccess>(),
        PinAccess.LocalWrite | PinAccess.RemoteRead, null,
        "io_uring_register_buffers over the mapping (FOLL_WRITE | FOLL_LONGTERM); the device is READ_FIXED / WRITE_FIXED");

    public static readonly PinPathInfo RdmaMr = new("rdma-mr", Writer.Rdma,
        new Dictionary<string, PinAccess>
        {
            ["local-write"] = PinAccess.LocalWrite,
            ["remote-write"] = PinAccess.RemoteWrite,
            ["remote-read"] = PinAccess.RemoteRead,
        },
        PinAccess.LocalWrite | PinAccess.RemoteWrite, "rdma",
        "ibv_reg_mr over the mapping on a soft-RoCE (rdma_rxe) device; the device is RDMA WRITE / READ on a self-connected RC QP")
    {
        DeviceWriteNeeds = PinAccess.RemoteWrite,
        DeviceReadNeeds = PinAccess.RemoteRead,
        NeedsLocalWrite = PinAccess.RemoteWrite,
    };

    public static readonly IReadOnlyList<PinPathInfo> All = [UringRegister, RdmaMr];

    public static PinPathInfo? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>One instance of every concrete <typeparamref name="T"/> class in <typeparamref name="T"/>'s assembly,
    /// in the table's order: a model's per-path classes are found, not listed, so adding a pin path touches no list.
    /// Throws, naming <paramref name="what"/>, when a row has none or two.</summary>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("finds the classes by reflection: use the overload that takes the instances where code is trimmed")]
    public static IReadOnlyList<T> OnePerRow<T>(Func<T, PinPathInfo> row, string what) where T : class =>
        OnePerRow(typeof(T).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(T).IsAssignableFrom(t))
            .Select(t => (T)Activator.CreateInstance(t)!), row, what);

    /// <summary><paramref name="implementations"/> in the table's order, one per row: code compiled ahead of time (the
    /// real executor, which the guest agent is) lists its classes, and still fails to load, naming
    /// <paramref name="what"/>, when a row has none or two.</summary>
    public static IReadOnlyList<T> OnePerRow<T>(IEnumerable<T> implementations, Func<T, PinPathInfo> row, string what) where T : class
    {
        var found = implementations.OrderBy(i => All.ToList().IndexOf(row(i))).ToList();
        var missing = All.Where(r => found.Count(i => row(i) == r) != 1).Select(r => r.Name).ToList();
        return missing.Count == 0 ? found : throw new InvalidOperationException($"{typeof(T).Assembly.GetName().Name}: not exactly one {what} of pin path {string.Join(", ", missing)}");
    }
}
