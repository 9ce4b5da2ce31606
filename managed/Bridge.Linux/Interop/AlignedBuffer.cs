using System.Runtime.InteropServices;

namespace Bridge.Linux.Interop;

/// <summary>Page-aligned native memory for O_DIRECT I/O, freed exactly once.</summary>
public sealed unsafe class AlignedBuffer : SafeHandle
{
    public AlignedBuffer(long length) : base(0, ownsHandle: true)
    {
        Length = length;
        SetHandle((nint)NativeMemory.AlignedAlloc((nuint)length, 4096));
        NativeMemory.Clear((void*)handle, (nuint)length);
    }

    public long Length { get; }
    public nint Address => handle;
    public override bool IsInvalid => handle == 0;

    public Span<byte> Span(long offset, int length) =>
        offset < 0 || offset + length > Length ? throw new ArgumentOutOfRangeException(nameof(offset)) : new Span<byte>((byte*)handle + offset, length);

    protected override bool ReleaseHandle()
    {
        NativeMemory.AlignedFree((void*)handle);
        return true;
    }
}
