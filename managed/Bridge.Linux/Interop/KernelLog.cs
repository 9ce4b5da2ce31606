using System.Text;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Interop;

/// <summary>
/// Reads the kernel log records that appear while a scenario runs, from /dev/kmsg: opened non-blocking and seeked
/// to the end at the start, drained at the end. Each read(2) returns one record "prio,seq,usec,flags;text".
/// Needs root (or CAP_SYSLOG); without it the capture is empty and says why.
/// </summary>
public sealed class KernelLog : IDisposable
{
    private readonly FileDescriptor? _fd;

    public KernelLog()
    {
        var (fd, r) = FileDescriptor.Open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
        if (fd is null)
        {
            Unavailable = $"/dev/kmsg: {r.ErrnoName}";
            return;
        }
        lseek(fd.Fd, 0, SEEK_END);
        _fd = fd;
    }

    public string? Unavailable { get; }

    public unsafe IReadOnlyList<string> Drain()
    {
        if (_fd is null)
            return [];
        var lines = new List<string>();
        var buf = stackalloc byte[8192];
        while (true)
        {
            var n = SysResult.From(read(_fd.Fd, buf, 8192));
            // EPIPE: records were overwritten before we read them; the next read returns the oldest one left.
            if (n.Errno == EPIPE)
                continue;
            if (!n.Ok || n.Value == 0)
                break;
            var record = Encoding.UTF8.GetString(buf, (int)n.Value).TrimEnd('\n');
            var semi = record.IndexOf(';');
            // Continuation lines (" KEY=value") follow the text; keep only the message.
            lines.Add((semi >= 0 ? record[(semi + 1)..] : record).Split('\n')[0]);
        }
        return lines;
    }

    public void Dispose() => _fd?.Dispose();
}
