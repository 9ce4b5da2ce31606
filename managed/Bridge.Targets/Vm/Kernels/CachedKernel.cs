using System.Text.Json;

namespace Bridge.Targets.Vm.Kernels;

/// <summary>A kernel tree in the cache: where it is, its size on disk, when a run last used it, and which line and
/// version it is (from its completion mark; null for a tree fetched before marks named them).</summary>
public sealed record CachedKernel(string Tree, long Bytes, DateTime LastUsed, KernelVersion? Version)
{
    /// <summary>Written last into a tree, so a tree without it is a leftover of an interrupted fetch. Its
    /// modification time is the tree's last use.</summary>
    public const string CompleteMark = ".complete";

    public string Package => Path.GetFileName(Tree);

    public static string RenderMark(KernelVersion version) => JsonSerializer.Serialize(version) + "\n";

    /// <summary>The version a mark names, or null for a mark of an older Bridge (the package name alone).</summary>
    public static KernelVersion? ParseMark(string text)
    {
        if (!text.TrimStart().StartsWith('{'))
            return null;
        try
        {
            return JsonSerializer.Deserialize<KernelVersion>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
