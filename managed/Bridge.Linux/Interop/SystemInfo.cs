using Mono.Unix.Native;

namespace Bridge.Linux.Interop;

/// <summary>Facts about the running system, through Mono.Unix.</summary>
public static class SystemInfo
{
    public static string KernelRelease => Syscall.uname(out var u) == 0 ? u.release ?? "unknown" : "unknown";

    public static bool IsRoot => Syscall.geteuid() == 0;

    public static uint UserId => Syscall.geteuid();

    public static long PageSize => Syscall.sysconf(SysconfName._SC_PAGESIZE);
}
