using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Bridge.Cli.Output;

/// <summary>
/// Standard output as write(2) on descriptor 1. .NET's console stream drops EPIPE silently (so `pinbridge run |
/// head` would end "successfully" with results lost), and a FileStream over descriptor 1 writes with pwrite(2) at a
/// position of its own (clobbering what others write to the same file, as in `(pinbridge …; echo) > log`). Writes
/// here go where the descriptor's offset is and throw <see cref="IOException"/> on any error, EPIPE included, which
/// the command reports with a non-zero exit (<see cref="OutputFailedException"/>).
/// </summary>
public static class StandardOutput
{
    /// <summary>Installs the failing writer as Console.Out (once, at start-up).</summary>
    public static void Install() =>
        Console.SetOut(new StreamWriter(new DescriptorStream(1), new UTF8Encoding(false), bufferSize: 16 << 10) { AutoFlush = true });

    public static bool IsTerminal => !Console.IsOutputRedirected;

    /// <summary>An unbuffered, write-only stream over a descriptor it does not own.</summary>
    private sealed unsafe class DescriptorStream(int fd) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            fixed (byte* start = buffer)
            {
                for (var done = 0; done < buffer.Length;)
                {
                    var n = (long)LibC.write(fd, start + done, (size_t)(ulong)(buffer.Length - done));
                    if (n >= 0)
                    {
                        done += (int)n;
                        continue;
                    }
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.EINTR)
                        continue;
                    throw new StandardOutputException(Marshal.GetPInvokeErrorMessage(errno), errno);
                }
            }
        }

        public override void Flush()
        {
            // Nothing is buffered here.
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>A write to standard output failed; <see cref="Exception.HResult"/> is the errno. Commands that print
/// one report (policy, compare, classify, verbs) let it reach the program's end, which exits as for
/// <see cref="OutputFailedException"/>.</summary>
public sealed class StandardOutputException(string message, int errno) : IOException(message, errno);

/// <summary>Results could not be written (standard output closed, the output directory full or gone): the message
/// names what and why; exit 141 for a closed pipe (as a shell reports a process SIGPIPE ended) or 3.</summary>
public sealed class OutputFailedException(string message, Exception inner) : Exception(message, inner)
{
    public const int ExitCode = 3;
    public const int BrokenPipeExitCode = 141;

    /// <summary>EPIPE: the reader of standard output went away (`| head`).</summary>
    public bool BrokenPipe => InnerException is IOException { HResult: var errno } && errno == LibC.EPIPE;

    public int Code => BrokenPipe ? BrokenPipeExitCode : ExitCode;

    public static OutputFailedException Of(StandardOutputException e) => new($"cannot write standard output: {e.Message}", e);
}
