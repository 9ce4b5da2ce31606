using System.Globalization;
using Bridge.Linux.Interop;
using Mono.Unix.Native;

namespace Bridge.Linux.Host;

/// <summary>One resource a run holds on the host: its kind (a row of the leftover table the sweep reads) and what
/// names it (a path, a container name, a page count).</summary>
public sealed record LedgerEntry(string Kind, string Value);

/// <summary>
/// The run's own record of what it holds on the host that would outlive it if it were killed: scratch directories,
/// mounts, huge page reservations, child processes, containers. A resource is written down before it is taken and
/// crossed out after it is given back, one appended line each (<c>+ KIND VALUE</c>, <c>- KIND VALUE</c>), so a run
/// killed with SIGKILL at any point leaves a ledger that names everything it still held. The ledger's directory names
/// its owner (<see cref="ProcessIdentity"/>: a reused pid is not the owner) and is deleted when nothing is held.
/// The next run and <c>pinbridge cleanup</c> sweep the ledgers whose owner is gone (<see cref="LedgerSweep"/>).
/// </summary>
public sealed class RunLedger
{
    private const string OwnerFile = "owner";
    private const string EntriesFile = "ledger";
    private static readonly Lazy<RunLedger> ThisProcess = new(() => new RunLedger(StateDirectory, ProcessIdentity.Current));
    private readonly Lock _lock = new();
    private readonly List<LedgerEntry> _held = [];

    /// <summary>A ledger of <paramref name="owner"/> (tests make one for a process that no longer runs).</summary>
    internal RunLedger(string stateDirectory, ProcessIdentity owner)
    {
        Owner = owner;
        Directory = Path.Combine(stateDirectory, string.Create(CultureInfo.InvariantCulture, $"run-{owner.Pid}-{owner.StartTicks}"));
    }

    /// <summary>This process's ledger.</summary>
    public static RunLedger Current => ThisProcess.Value;

    /// <summary>Where ledgers live: $BRIDGE_STATE; else /var/lib/bridge/runs for root (it outlives a reboot, like
    /// the scratch directories in /var/tmp it names); else /var/tmp/bridge-state-UID, the user's own.</summary>
    public static string StateDirectory =>
        Environment.GetEnvironmentVariable("BRIDGE_STATE") is { Length: > 0 } configured ? Path.GetFullPath(configured)
        : SystemInfo.IsRoot ? "/var/lib/bridge/runs"
        : $"/var/tmp/bridge-state-{SystemInfo.UserId}";

    public ProcessIdentity Owner { get; }

    public string Directory { get; }

    /// <summary>What the run holds now, oldest first.</summary>
    public IReadOnlyList<LedgerEntry> Held
    {
        get
        {
            lock (_lock)
                return [.. _held];
        }
    }

    /// <summary>Writes the entry down; call it before taking the resource, and <see cref="Release"/> once it is
    /// given back.</summary>
    /// <exception cref="IOException">The ledger cannot be written (then the resource must not be taken).</exception>
    public LedgerEntry Take(string kind, string value)
    {
        var entry = new LedgerEntry(kind, value);
        if (kind.Length == 0 || kind.Any(char.IsWhiteSpace) || value.Contains('\n'))
            throw new ArgumentException($"ledger entry '{kind}' '{value}': the kind must be one word and the value one line");
        lock (_lock)
        {
            if (_held.Count == 0)
                CreateDirectory();
            Append('+', entry);
            _held.Add(entry);
        }
        return entry;
    }

    /// <summary>Crosses the entry out; the ledger's directory goes when nothing is held.</summary>
    public void Release(LedgerEntry entry)
    {
        lock (_lock)
        {
            if (!_held.Remove(entry))
                return;
            if (_held.Count == 0)
                System.IO.Directory.Delete(Directory, recursive: true);
            else
                Append('-', entry);
        }
    }

    /// <summary>The ledgers under <paramref name="stateDirectory"/>, each with its owner (null when the owner file is
    /// unreadable: a ledger being created) and the entries it still holds, oldest first.</summary>
    public static IEnumerable<(string Directory, ProcessIdentity? Owner, IReadOnlyList<LedgerEntry> Held)> Read(string stateDirectory)
    {
        if (!System.IO.Directory.Exists(stateDirectory))
            yield break;
        foreach (var dir in System.IO.Directory.GetDirectories(stateDirectory, "run-*"))
        {
            ProcessIdentity? owner = null;
            var held = new List<LedgerEntry>();
            try
            {
                if (ProcessIdentity.TryParse(File.ReadAllText(Path.Combine(dir, OwnerFile)), out var parsed))
                    owner = parsed;
                var entries = Path.Combine(dir, EntriesFile);
                foreach (var line in File.Exists(entries) ? File.ReadAllLines(entries) : [])
                {
                    // A line cut short by the kill has no value yet: the resource was not taken.
                    var parts = line.Split(' ', 3);
                    if (parts.Length < 3 || parts[0] is not ("+" or "-"))
                        continue;
                    var entry = new LedgerEntry(parts[1], parts[2]);
                    if (parts[0] == "+")
                        held.Add(entry);
                    else
                        held.Remove(entry);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // removed meanwhile, or someone else's
            }
            yield return (dir, owner, held);
        }
    }

    private void CreateDirectory()
    {
        CreatePrivateDirectory(Path.GetDirectoryName(Directory)!);
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(Path.Combine(Directory, OwnerFile), Owner + "\n");
    }

    /// <summary>The state directory, mode 0700 and owned by this user: /var/tmp is shared, and a directory of that
    /// name made by someone else (or a link to one) is not ours to write in.</summary>
    private static void CreatePrivateDirectory(string path)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (Syscall.mkdir(path, FilePermissions.S_IRWXU) != 0 && Stdlib.GetLastError() != Errno.EEXIST)
            throw new IOException($"cannot create the state directory {path}: {Stdlib.GetLastError()} (set BRIDGE_STATE to a writable directory)");
        if (Syscall.lstat(path, out var st) != 0 || (st.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFDIR || st.st_uid != SystemInfo.UserId)
            throw new IOException($"the state directory {path} is not a directory of uid {SystemInfo.UserId} (remove it, or set BRIDGE_STATE)");
    }

    private void Append(char sign, LedgerEntry entry) =>
        File.AppendAllText(Path.Combine(Directory, EntriesFile), $"{sign} {entry.Kind} {entry.Value}\n");
}
