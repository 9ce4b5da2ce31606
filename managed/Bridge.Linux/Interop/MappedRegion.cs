using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Interop;

/// <summary>An owned mmap'ed range; munmap'ed exactly once when released (or by <see cref="Unmap"/>).</summary>
public sealed class MappedRegion : SafeHandle
{
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

    /// <summary>munmap now, reporting the result as a step does.</summary>
    public unsafe SysResult Unmap()
    {
        var r = SysResult.From(munmap((void*)handle, (size_t)(ulong)Length));
        if (r.Ok)
            SetHandleAsInvalid();
        return r;
    }
}
