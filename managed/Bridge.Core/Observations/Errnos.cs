namespace Bridge.Core.Observations;

/// <summary>Linux errno numbers by name (include/uapi/asm-generic/errno-base.h, errno.h): results carry the name,
/// so reports read like strace and the simulator can name the same errors.</summary>
public static class Errnos
{
    /// <summary>Not an errno: a read or write that returned fewer bytes than asked.</summary>
    public const int ShortTransfer = 0x10000;

    private static readonly Dictionary<int, string> Names = new()
    {
        [ShortTransfer] = "short-transfer",
        [1] = "EPERM",
        [2] = "ENOENT",
        [3] = "ESRCH",
        [4] = "EINTR",
        [5] = "EIO",
        [6] = "ENXIO",
        [7] = "E2BIG",
        [9] = "EBADF",
        [10] = "ECHILD",
        [11] = "EAGAIN",
        [12] = "ENOMEM",
        [13] = "EACCES",
        [14] = "EFAULT",
        [16] = "EBUSY",
        [17] = "EEXIST",
        [19] = "ENODEV",
        [21] = "EISDIR",
        [22] = "EINVAL",
        [23] = "ENFILE",
        [24] = "EMFILE",
        [25] = "ENOTTY",
        [26] = "ETXTBSY",
        [27] = "EFBIG",
        [28] = "ENOSPC",
        [29] = "ESPIPE",
        [30] = "EROFS",
        [32] = "EPIPE",
        [34] = "ERANGE",
        [38] = "ENOSYS",
        [61] = "ENODATA",
        [75] = "EOVERFLOW",
        [95] = "EOPNOTSUPP",
        [110] = "ETIMEDOUT",
        [117] = "EUCLEAN",
        [121] = "EREMOTEIO",
        [125] = "ECANCELED",
        [133] = "EHWPOISON",
    };

    /// <summary>What the kernel answers a caller that lacks the privilege a call needs (a capability check, or a
    /// root-only file's permission bits), and what root gets where its confinement mounted the kernel's tunables
    /// read-only (/proc/sys in an unprivileged container: writing drop_caches there is EROFS).</summary>
    public static readonly IReadOnlyList<string> PrivilegeRefusals = ["EPERM", "EACCES", "EROFS"];

    /// <summary>Failures a call may return after part of its data moved: an I/O error on one block of several (a
    /// btrfs checksum mismatch, a failed bio) fails a whole O_DIRECT read though the other blocks were transferred
    /// (fs/iomap/direct-io.c: iomap_dio_complete returns dio->error), and a short transfer moved a prefix. Refusals
    /// (EINVAL, EOPNOTSUPP, EPERM, …) come before any data moves.</summary>
    public static readonly IReadOnlyList<string> MidTransfer = ["EIO", "short-transfer"];

    public static string Name(int errno) => Names.TryGetValue(errno, out var name) ? name : $"E{errno}";

    public static int Number(string name) => Names.FirstOrDefault(kv => kv.Value == name).Key;
}
