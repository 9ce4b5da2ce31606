using System.Buffers.Binary;
using System.Text;

namespace Bridge.Targets.Vm.Kernels;

/// <summary>
/// Reads the x86 boot protocol header of a bzImage (Documentation/arch/x86/boot.rst): "HdrS" at 0x202, and at
/// 0x20E the offset (minus 0x200) of the kernel version string, "RELEASE (builder) #N SMP …".
/// </summary>
public static class BzImageHeader
{
    private const int MagicOffset = 0x202;
    private const int VersionPointerOffset = 0x20E;
    private const int SetupBase = 0x200;
    private const int HeadBytes = 64 * 1024;

    /// <summary>The release (first word of the version string), or null when the header has no version string.</summary>
    public static string? ReadRelease(string path)
    {
        var head = ReadHead(path);
        if (!HasMagic(head))
            throw new VmSetupException($"'{path}' is not a bzImage: no 'HdrS' boot header at 0x{MagicOffset:X} (expected an x86 bzImage, e.g. arch/x86/boot/bzImage or /boot/vmlinuz-RELEASE)");
        var pointer = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(VersionPointerOffset));
        var start = pointer + SetupBase;
        if (pointer == 0 || start >= head.Length)
            return null;
        var end = Array.IndexOf(head, (byte)0, start);
        var version = Encoding.ASCII.GetString(head, start, (end < 0 ? head.Length : end) - start);
        var release = version.Split(' ', 2)[0];
        return release.Length > 0 ? release : null;
    }

    private static bool HasMagic(byte[] head) =>
        head.Length >= VersionPointerOffset + 2 && head.AsSpan(MagicOffset, 4).SequenceEqual("HdrS"u8);

    private static byte[] ReadHead(string path)
    {
        var head = new byte[HeadBytes];
        try
        {
            using var file = File.OpenRead(path);
            var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            Array.Resize(ref head, read);
            return head;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VmSetupException($"cannot read kernel image '{path}': {e.Message}", e);
        }
    }
}
