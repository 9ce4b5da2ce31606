namespace Bridge.Linux.Host;

/// <summary>A kind of resource a run can leave behind, and how to give one back when its owner is gone: one row
/// per kind, next to the code that takes it (the scratch space, huge pages, a child process, a container …).</summary>
/// <param name="Kind">The word its ledger entries start with.</param>
/// <param name="Sweep">Gives the resource named by an entry's value back; idempotent (the resource may be gone).</param>
public sealed record LeftoverKind(string Kind, Func<string, Task> Sweep);

/// <summary>What a sweep found of one killed run, and whether it was given back.</summary>
public sealed record Leftover(ProcessIdentity? Owner, LedgerEntry Entry, string? Failure)
{
    public override string ToString() =>
        $"{Entry.Kind} {Entry.Value} (run {(Owner is { } o ? o.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")})" + (Failure is null ? "" : $": {Failure}");
}

/// <summary>
/// Gives back what killed runs left: for every ledger whose owner no longer runs, each entry it still holds, newest
/// first (a mount before the directory it is in), by its kind's row; the ledger goes once all of them are back. One
/// sweep at a time per state directory (a lock in it), so concurrent runs do not trip over each other.
/// </summary>
public static class LedgerSweep
{
    private const string LockFile = "sweep.lock";

    /// <param name="kinds">The rows; an entry of a kind not among them keeps its ledger for a sweep that knows it.</param>
    /// <param name="dryRun">Only list what would be given back.</param>
    /// <param name="stateDirectory">Where the ledgers are (<see cref="RunLedger.StateDirectory"/> if null).</param>
    /// <param name="ownersGone">Treat every owner as gone: ledgers written inside a container that no longer exists,
    /// whose pids belong to its own pid namespace.</param>
    public static async Task<IReadOnlyList<Leftover>> RunAsync(IReadOnlyList<LeftoverKind> kinds, bool dryRun = false, string? stateDirectory = null, bool ownersGone = false)
    {
        var rows = kinds.ToDictionary(k => k.Kind);
        var found = new List<Leftover>();
        var state = stateDirectory ?? RunLedger.StateDirectory;
        if (!Directory.Exists(state))
            return found;
        using var sweeping = await FileLock.AcquireAsync(Path.Combine(state, LockFile), TimeSpan.FromMinutes(2), CancellationToken.None);
        foreach (var (dir, owner, held) in RunLedger.Read(state).ToList())
        {
            if (!ownersGone && (owner is null || owner.Value.IsAlive))
                continue;
            var complete = true;
            foreach (var entry in Enumerable.Reverse(held))
            {
                var failure = dryRun && rows.ContainsKey(entry.Kind) ? null : await GiveBackAsync(rows, entry);
                complete &= failure is null;
                found.Add(new Leftover(owner, entry, failure));
            }
            if (complete && !dryRun)
                Directory.Delete(dir, recursive: true);
        }
        return found;
    }

    /// <summary>Gives back everything this process's own run holds, newest first: for a run that must stop at once
    /// (an agent whose harness is gone) and cannot unwind normally.</summary>
    public static async Task<IReadOnlyList<Leftover>> GiveBackOwnAsync(IReadOnlyList<LeftoverKind> kinds)
    {
        var rows = kinds.ToDictionary(k => k.Kind);
        var ledger = RunLedger.Current;
        var found = new List<Leftover>();
        foreach (var entry in Enumerable.Reverse(ledger.Held))
        {
            var failure = await GiveBackAsync(rows, entry);
            if (failure is null)
                ledger.Release(entry);
            found.Add(new Leftover(ledger.Owner, entry, failure));
        }
        return found;
    }

    /// <returns>null when given back, else why not.</returns>
    private static async Task<string?> GiveBackAsync(Dictionary<string, LeftoverKind> rows, LedgerEntry entry)
    {
        if (!rows.TryGetValue(entry.Kind, out var row))
            return "no sweep for this kind here";
        try
        {
            await row.Sweep(entry.Value);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or Interop.SysException or ToolException)
        {
            return e.Message;
        }
    }
}
