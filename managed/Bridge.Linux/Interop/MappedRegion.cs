using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Interop;

/// <summary>An owned mmap'ed range; munmap'ed exactly once when released (or by <see cref="Unmap"/>).</summary>
public sealed class MappedRegion : SafeHandle
{
    /// <summary>MADV_POPULATE_READ (include/uapi/asm-generic/mman-common.h, Linux 5.14): fault pages in readable,
    /// reporting a fault that would raise SIGBUS (an I/O error reading a file's page) as EFAULT instead. Tmds.LibC
    /// 0.5 predates it.</summary>
    private const int MadvPopulateRead = 22;

    private MappedRegion(nint address, long length) : base(0, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
    }

    public long Length { get; }
    public nint Address => handle;
    public override bool IsInvalid => handle == 0 || handle == -1;

    protected override unsafe bool ReleaseHandle() => munmap((void*)handle, (size_t)(ulong)Length) == 0;

    public static unsafe (MappedRegion? Region, SysResult Result) Map(long length, int prot, int flags, int fd, long offset = 0)
    {
        var p = (nint)mmap(null, (size_t)(ulong)length, prot, flags, fd, offset);
        var r = p == -1 ? new SysResult(-1, Marshal.GetLastPInvokeError()) : new SysResult(p, 0);
        return (r.Ok ? new MappedRegion(p, length) : null, r);
    }

    public unsafe Span<byte> Span(long offset, int length) =>
        offset < 0 || offset + length > Length ? throw new ArgumentOutOfRangeException(nameof(offset)) : new Span<byte>((byte*)handle + offset, length);

    public unsafe SysResult Msync(long offset, long length, int flags) => SysResult.From(msync((byte*)handle + offset, (size_t)(ulong)length, flags));
    public unsafe SysResult Protect(int prot) => SysResult.From(mprotect((void*)handle, (size_t)(ulong)Length, prot));

    /// <summary>Faults the range in for reading without touching it: EFAULT where a load would raise SIGBUS (the
    /// kernel could not read the file's page), EINVAL where the kernel (before 5.14) or the mapping (hugetlb, at a
    /// range not aligned to its page size) does not do it.</summary>
    public unsafe SysResult PopulateRead(long offset, long length) =>
        SysResult.From(madvise((byte*)handle + offset, (size_t)(ulong)length, MadvPopulateRead));

    /// <summary>munmap now, reporting the result as a step does.</summary>
    public unsafe SysResult Unmap()
    {
        var r = SysResult.From(munmap((void*)handle, (size_t)(ulong)Length));
        if (r.Ok)
            SetHandleAsInvalid();
        return r;
    }
}
