namespace Bridge.Simulator.Execution;

/// <summary>errno numbers (x86_64 / asm-generic) for the names the model produces, so results read like the real
/// executor's.</summary>
internal static class Errnos
{
    private static readonly Dictionary<string, int> Numbers = new()
    {
        ["EPERM"] = 1,
        ["EIO"] = 5,
        ["EACCES"] = 13,
        ["EFAULT"] = 14,
        ["EBUSY"] = 16,
        ["EINVAL"] = 22,
        ["EOPNOTSUPP"] = 95,
    };

    public static int Number(string name) => Numbers.TryGetValue(name, out var n) ? n : 0;
}
