using System.Text;

namespace Bridge.Targets.Vm;

/// <summary>
/// Writes a cpio archive in the "newc" format the kernel unpacks into its initramfs
/// (Documentation/driver-api/early-userspace/buffer-format.rst): per entry a 110-byte ASCII header
/// ("070701" and 13 eight-digit hex fields), the NUL-terminated name, then the data, each padded to 4 bytes;
/// "TRAILER!!!" ends the archive. Archives written this way can be concatenated: the kernel unpacks them in turn
/// and later entries replace earlier ones. Entries get mtime 0 and owner root, so the same input gives the same bytes.
/// </summary>
public sealed class CpioWriter(Stream output) : IDisposable
{
    private const string Magic = "070701";
    private const int TypeDirectory = 0x4000; // S_IFDIR
    private const int TypeRegular = 0x8000;   // S_IFREG
    private const int TypeSymlink = 0xA000;   // S_IFLNK
    private const int TypeCharDevice = 0x2000; // S_IFCHR
    private readonly HashSet<string> _written = [];
    private uint _nextInode = 1;
    // Alignment is counted from the start of the stream: an archive appended to another must stay 4-aligned.
    private long _position = output.CanSeek ? output.Position : 0;
    private bool _finished;

    /// <summary>A directory; parents must be added first (the kernel does not create them).</summary>
    public void AddDirectory(string path, int permissions = 0x1ED /* 0755 */) =>
        Add(path, TypeDirectory | permissions, nlink: 2, [], 0, 0);

    public void AddFile(string path, ReadOnlySpan<byte> data, int permissions = 0x1A4 /* 0644 */) =>
        Add(path, TypeRegular | permissions, nlink: 1, data, 0, 0);

    public void AddSymlink(string path, string target) =>
        Add(path, TypeSymlink | 0x1FF, nlink: 1, Encoding.UTF8.GetBytes(target), 0, 0);

    public void AddCharDevice(string path, int major, int minor, int permissions = 0x180 /* 0600 */) =>
        Add(path, TypeCharDevice | permissions, nlink: 1, [], major, minor);

    /// <summary>Writes the trailer. Further entries are an error.</summary>
    public void Finish()
    {
        if (_finished)
            return;
        WriteEntry("TRAILER!!!", 0, 0, [], 0, 0, inode: 0);
        _finished = true;
        output.Flush();
    }

    public void Dispose() => Finish();

    private void Add(string path, int mode, int nlink, ReadOnlySpan<byte> data, int rdevMajor, int rdevMinor)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var name = path.Trim('/');
        if (name.Length == 0 || name.Split('/').Any(part => part is "" or "." or ".."))
            throw new ArgumentException($"cpio entry '{path}' must be a relative path without empty, '.' or '..' parts (expected e.g. lib/modules/x.ko)", nameof(path));
        if (!_written.Add(name))
            throw new ArgumentException($"cpio entry '{name}' was already written", nameof(path));
        WriteEntry(name, mode, nlink, data, rdevMajor, rdevMinor, _nextInode++);
    }

    private void WriteEntry(string name, int mode, int nlink, ReadOnlySpan<byte> data, int rdevMajor, int rdevMinor, uint inode)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        var header = new StringBuilder(110).Append(Magic);
        foreach (var field in new long[] { inode, mode, 0, 0, nlink, 0, data.Length, 0, 0, rdevMajor, rdevMinor, nameBytes.Length, 0 })
            header.Append(field.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        Write(Encoding.ASCII.GetBytes(header.ToString()));
        Write(nameBytes);
        Pad();
        Write(data);
        Pad();
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        _position += bytes.Length;
    }

    private void Pad()
    {
        Span<byte> zeros = stackalloc byte[4];
        zeros.Clear();
        Write(zeros[..(int)((4 - (_position % 4)) % 4)]);
    }
}
