namespace Bridge.Targets.Vm.Kernels;

/// <summary>
/// A Debian package version, <c>[EPOCH:]UPSTREAM[-REVISION]</c>, ordered as dpkg orders them (deb-version(7),
/// dpkg's lib/dpkg/version.c <c>dpkg_version_compare</c>): epochs numerically, then upstream and revision each by
/// alternating runs of non-digits (compared character by character, letters before non-letters, <c>~</c> before
/// everything, even the end) and digits (compared as numbers). So <c>7.3~rc7-1~exp1</c> sorts before <c>7.3-1</c>,
/// and <c>6.1.0-10</c> after <c>6.1.0-9</c>. The tests check this against <c>dpkg --compare-versions</c>.
/// </summary>
public sealed partial class DebianVersion : IComparable<DebianVersion>, IEquatable<DebianVersion>
{
    private DebianVersion(string text, long epoch, string upstream, string revision)
    {
        Text = text;
        Epoch = epoch;
        Upstream = upstream;
        Revision = revision;
    }

    public string Text { get; }

    public long Epoch { get; }

    public string Upstream { get; }

    /// <summary>The Debian revision; empty for a native package.</summary>
    public string Revision { get; }

    /// <summary>Parses <paramref name="text"/>; null when it is not a version dpkg would accept.</summary>
    public static DebianVersion? TryParse(string text)
    {
        var colon = text.IndexOf(':');
        long epoch = 0;
        if (colon >= 0 && (colon == 0 || !long.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.None, null, out epoch)))
            return null;
        var rest = text[(colon + 1)..];
        var hyphen = rest.LastIndexOf('-');
        var upstream = hyphen >= 0 ? rest[..hyphen] : rest;
        var revision = hyphen >= 0 ? rest[(hyphen + 1)..] : "";
        if (upstream.Length == 0 || !char.IsAsciiDigit(upstream[0]) || (hyphen >= 0 && revision.Length == 0))
            return null;
        if (!upstream.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '~' or '-' or ':'))
            return null;
        if (!revision.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '~'))
            return null;
        return new DebianVersion(text, epoch, upstream, revision);
    }

    public static DebianVersion Parse(string text) =>
        TryParse(text) ?? throw new FormatException($"'{text}' is not a Debian version (expected [EPOCH:]UPSTREAM[-REVISION], e.g. 6.12.117-1)");

    public int CompareTo(DebianVersion? other)
    {
        if (other is null)
            return 1;
        var epoch = Epoch.CompareTo(other.Epoch);
        if (epoch != 0)
            return epoch;
        var upstream = ComparePart(Upstream, other.Upstream);
        return upstream != 0 ? upstream : ComparePart(Revision, other.Revision);
    }

    /// <summary>dpkg's verrevcmp: non-digit runs by <see cref="Order"/>, digit runs as numbers, in turn.</summary>
    private static int ComparePart(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                var ac = i < a.Length && !char.IsAsciiDigit(a[i]) ? Order(a[i]) : 0;
                var bc = j < b.Length && !char.IsAsciiDigit(b[j]) ? Order(b[j]) : 0;
                if (ac != bc)
                    return ac - bc;
                i++;
                j++;
            }
            while (i < a.Length && a[i] == '0')
                i++;
            while (j < b.Length && b[j] == '0')
                j++;
            var firstDifference = 0;
            while (i < a.Length && char.IsAsciiDigit(a[i]) && j < b.Length && char.IsAsciiDigit(b[j]))
            {
                if (firstDifference == 0)
                    firstDifference = a[i] - b[j];
                i++;
                j++;
            }
            if (i < a.Length && char.IsAsciiDigit(a[i]))
                return 1;
            if (j < b.Length && char.IsAsciiDigit(b[j]))
                return -1;
            if (firstDifference != 0)
                return firstDifference;
        }
        return 0;
    }

    /// <summary>dpkg's order of a non-digit character: ~ lowest (below the end of the string, 0), then letters,
    /// then everything else.</summary>
    private static int Order(char c) =>
        c == '~' ? -1
        : char.IsAsciiLetter(c) ? c
        : c + 256;

    public bool Equals(DebianVersion? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is DebianVersion other && Equals(other);

    /// <summary>Versions dpkg calls equal (1.0 and 1.00, 0:1 and 1, 1.0 and 1.0-0) hash alike: the hash drops the
    /// leading zeros of every digit run (a run of zeros entirely).</summary>
    public override int GetHashCode() => HashCode.Combine(Epoch, Canonical(Upstream), Canonical(Revision));

    private static string Canonical(string part) => LeadingZeros().Replace(part, "");

    [System.Text.RegularExpressions.GeneratedRegex("(?<![0-9])0+")]
    private static partial System.Text.RegularExpressions.Regex LeadingZeros();

    public override string ToString() => Text;

    public static bool operator <(DebianVersion a, DebianVersion b) => a.CompareTo(b) < 0;

    public static bool operator >(DebianVersion a, DebianVersion b) => a.CompareTo(b) > 0;

    public static bool operator <=(DebianVersion a, DebianVersion b) => a.CompareTo(b) <= 0;

    public static bool operator >=(DebianVersion a, DebianVersion b) => a.CompareTo(b) >= 0;

    public static bool operator ==(DebianVersion? a, DebianVersion? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(DebianVersion? a, DebianVersion? b) => !(a == b);
}
