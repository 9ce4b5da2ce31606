namespace Bridge.Linux.Host;

/// <summary>An exclusive lock on a file, across processes: .NET takes flock(LOCK_EX|LOCK_NB) for FileShare.None on
/// Linux, and the kernel drops it when its holder dies, even by SIGKILL. Serialises what Bridge processes change on
/// the machine: vm.nr_hugepages, the private dockerd's start and stop, an image build, a ledger being swept.</summary>
public sealed class FileLock : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    /// <summary>The lock if no one holds it now, else null.</summary>
    public static FileLock? TryAcquire(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    /// <exception cref="LockTimeoutException">Another process held it for all of <paramref name="timeout"/>.</exception>
    public static FileLock Acquire(string path, TimeSpan timeout) =>
        AcquireAsync(path, timeout, CancellationToken.None).GetAwaiter().GetResult();

    /// <exception cref="LockTimeoutException">Another process held it for all of <paramref name="timeout"/>.</exception>
    public static async Task<FileLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (TryAcquire(path) is { } held)
                return held;
            if (DateTime.UtcNow >= deadline)
                throw new LockTimeoutException($"another Bridge process has held the lock {path} for {timeout.TotalSeconds:0} s; wait for it to finish");
            await Task.Delay(Poll, ct);
        }
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>A <see cref="FileLock"/> stayed taken for the whole wait.</summary>
public sealed class LockTimeoutException(string message) : IOException(message);
