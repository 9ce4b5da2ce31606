using System.Text;

namespace Bridge.Linux.Host;

/// <summary>One line of /proc/PID/mountinfo (Documentation/filesystems/proc.rst), paths unescaped.</summary>
/// <param name="ReadOnly">The mount or its superblock is read-only ("ro" in the per-mount or the super options): a
/// filesystem that aborted a transaction or hit errors=remount-ro shows it in the super options only.</param>
public sealed record MountEntry(int Id, int ParentId, string Root, string MountPoint, string FsType, string Source, bool ReadOnly);

/// <summary>The mount table of this mount namespace, from /proc/self/mountinfo. The kernel escapes space, tab,
/// newline and backslash in paths as <c>\ooo</c> octal (fs/proc_namespace.c, mangle()); they are unescaped here.</summary>
public static class MountTable
{
    public static IReadOnlyList<MountEntry> Read() => Parse(File.ReadLines("/proc/self/mountinfo"));

    /// <exception cref="FormatException">A line lacks the fields or the " - " separator mountinfo always has.</exception>
    public static IReadOnlyList<MountEntry> Parse(IEnumerable<string> lines)
    {
        var entries = new List<MountEntry>();
        foreach (var line in lines)
        {
            if (line.Length == 0)
                continue;
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-", 6);
            if (fields.Length < 7 || separator < 0 || separator + 2 >= fields.Length
                || !int.TryParse(fields[0], out var id) || !int.TryParse(fields[1], out var parent))
                throw new FormatException($"not a mountinfo line (expected 'ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS … - FSTYPE SOURCE …'): {line}");
            var readOnly = IsReadOnly(fields[5]) || (separator + 3 < fields.Length && IsReadOnly(fields[separator + 3]));
            entries.Add(new MountEntry(id, parent, Unescape(fields[3]), Unescape(fields[4]), fields[separator + 1], Unescape(fields[separator + 2]), readOnly));
        }
        return entries;
    }

    private static bool IsReadOnly(string options) => options.Split(',').Contains("ro");

    /// <summary>Whether the filesystem mounted at <paramref name="mountPoint"/> is read-only now (false when nothing
    /// is mounted there).</summary>
    public static bool IsReadOnly(string mountPoint, IEnumerable<MountEntry> table) =>
        table.LastOrDefault(m => m.MountPoint == mountPoint)?.ReadOnly ?? false;

    /// <summary>Mount points at or below <paramref name="directory"/>, deepest first (the order to unmount them in).</summary>
    public static IReadOnlyList<string> Under(string directory)
    {
        var root = directory.TrimEnd('/');
        return [.. Read().Select(m => m.MountPoint)
            .Where(m => m == root || m.StartsWith(root + "/", StringComparison.Ordinal))
            .Distinct()
            .OrderByDescending(m => m.Length)];
    }

    /// <summary>Mount points whose path starts with <paramref name="prefix"/> (a directory or a name prefix).</summary>
    public static IReadOnlyList<string> StartingWith(string prefix) =>
        [.. Read().Select(m => m.MountPoint).Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).Distinct()];

    /// <summary>Undoes the kernel's <c>\ooo</c> escapes; the bytes they stand for are UTF-8 like the rest of the path.</summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\'))
            return field;
        var bytes = Encoding.UTF8.GetBytes(field);
        var output = new List<byte>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\\' && i + 3 < bytes.Length && IsOctal(bytes[i + 1]) && IsOctal(bytes[i + 2]) && IsOctal(bytes[i + 3]))
            {
                output.Add((byte)(((bytes[i + 1] - '0') << 6) | ((bytes[i + 2] - '0') << 3) | (bytes[i + 3] - '0')));
                i += 3;
            }
            else
                output.Add(bytes[i]);
        }
        return Encoding.UTF8.GetString([.. output]);
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
