using System.Text.RegularExpressions;

namespace Bridge.Core.Oracle;

/// <summary>Kernel log lines that make a scenario's verdict kernel-warn: what lib/bug.c, kernel/panic.c and the
/// oops path print (WARN_ON → "WARNING: CPU: …", BUG_ON → "kernel BUG at", page-fault oops, lockdep, KASAN).</summary>
public static partial class KernelLogRules
{
    public static bool IsWarning(string line) => Pattern().IsMatch(line);

    [GeneratedRegex(@"WARNING: CPU:|kernel BUG at|BUG: |Oops|general protection fault|Call Trace:|possible circular locking|KASAN:|UBSAN:|list_add corruption|Kernel panic")]
    private static partial Regex Pattern();
}
