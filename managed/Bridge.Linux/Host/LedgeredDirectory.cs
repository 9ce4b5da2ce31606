namespace Bridge.Linux.Host;

/// <summary>A directory a run makes for itself, in the run's ledger from before it exists until it is deleted, so a
/// run killed outright has it swept by the next (by the row of <see cref="LedgerEntry.Kind"/>).</summary>
public sealed class LedgeredDirectory : IDisposable
{
    private readonly LedgerEntry _entry;

    private LedgeredDirectory(string path, LedgerEntry entry)
    {
        Path = path;
        _entry = entry;
    }

    public string Path { get; }

    public static LedgeredDirectory Create(string path, LeftoverKind kind)
    {
        var entry = RunLedger.Current.Take(kind.Kind, path);
        Directory.CreateDirectory(path);
        return new LedgeredDirectory(path, entry);
    }

    /// <summary>Deletes it; if that fails (a lazily detached mount still holds it), the ledger keeps it for the next run.</summary>
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
                Directory.Delete(Path, recursive: true);
            RunLedger.Current.Release(_entry);
        }
        catch (IOException)
        {
            // Swept by the next run.
        }
    }
}
