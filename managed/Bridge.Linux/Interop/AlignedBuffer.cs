using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Interop;

/// <summary>Page-aligned, zero-filled memory for O_DIRECT I/O and pin registrations, unmapped exactly once. It is an
/// anonymous private mapping rather than the heap: the kernel hands out zero pages lazily, so a file-sized buffer of
/// which a step touches a few blocks costs a few page faults, not one per page (under TCG each fault is dear).</summary>
public sealed unsafe class AlignedBuffer : SafeHandle
{
    public AlignedBuffer(long length) : base(0, ownsHandle: true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Length = length;
        var p = (nint)mmap(null, (size_t)(ulong)length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == -1)
            throw new SysException($"mmap {length} bytes of anonymous memory", Marshal.GetLastPInvokeError());
        SetHandle(p);
    }

    public long Length { get; }
    public nint Address => handle;
    public override bool IsInvalid => handle == 0 || handle == -1;

    public Span<byte> Span(long offset, int length) =>
        offset < 0 || offset + length > Length ? throw new ArgumentOutOfRangeException(nameof(offset)) : new Span<byte>((byte*)handle + offset, length);

    protected override bool ReleaseHandle() => munmap((void*)handle, (size_t)(ulong)Length) == 0;
}
