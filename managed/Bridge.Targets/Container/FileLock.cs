namespace Bridge.Targets.Container;

/// <summary>An exclusive lock on a file, across processes: .NET takes flock(LOCK_EX|LOCK_NB) for FileShare.None on
/// Linux. Serialises engine start/stop and image builds between concurrent Bridge runs (a test run and a
/// <c>make container-test</c>, say), so two of them never start two dockerds on one data root.</summary>
internal sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    public static async Task<FileLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, ct);
            }
            catch (IOException e)
            {
                throw new ContainerException($"another Bridge process has held the lock {path} for {timeout.TotalSeconds:0} s; wait for it to finish", e);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
