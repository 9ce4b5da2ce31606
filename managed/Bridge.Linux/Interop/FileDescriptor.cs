using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Interop;

/// <summary>An owned file descriptor; closed exactly once when released.</summary>
public sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => close((int)handle) == 0;

    public static unsafe (FileDescriptor? Fd, SysResult Result) Open(string path, int flags, int mode = 0x1a4 /* 0644 */)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            var r = SysResult.From(open(p, flags | O_CLOEXEC, (mode_t)(uint)mode));
            return (r.Ok ? new FileDescriptor((int)r.Value) : null, r);
        }
    }

    public static FileDescriptor OpenOrThrow(string path, int flags, int mode = 0x1a4)
    {
        var (fd, r) = Open(path, flags, mode);
        return fd ?? throw new SysException($"open {path}", r.Errno);
    }

    public static unsafe (FileDescriptor? Fd, SysResult Result) MemfdCreate(string name, uint flags)
    {
        var bytes = Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* p = bytes)
        {
            var r = SysResult.From(memfd_create(p, flags | MFD_CLOEXEC));
            return (r.Ok ? new FileDescriptor((int)r.Value) : null, r);
        }
    }

    public unsafe long Size()
    {
        stat st;
        SysResult.From(fstat(Fd, &st)).ThrowIfFailed("fstat");
        return st.st_size;
    }

    public unsafe SysResult PRead(nint buffer, long length, long offset) =>
        SysResult.From(pread(Fd, (void*)buffer, (size_t)(ulong)length, offset));

    public unsafe SysResult PWrite(nint buffer, long length, long offset) =>
        SysResult.From(pwrite(Fd, (void*)buffer, (size_t)(ulong)length, offset));

    public SysResult Fsync() => SysResult.From(fsync(Fd));
    public SysResult Fdatasync() => SysResult.From(fdatasync(Fd));
    public SysResult Truncate(long size) => SysResult.From(ftruncate(Fd, size));
    public SysResult Fallocate(int mode, long offset, long length) => SysResult.From(fallocate(Fd, mode, offset, length));
    public SysResult SyncFileRange(long offset, long length, uint flags) => SysResult.From(sync_file_range(Fd, offset, length, flags));
    public SysResult Fadvise(long offset, long length, int advice) => SysResult.FromReturnedError(posix_fadvise(Fd, offset, length, advice));
}
