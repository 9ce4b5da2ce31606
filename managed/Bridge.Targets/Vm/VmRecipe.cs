using System.Text.Json;

namespace Bridge.Targets.Vm;

/// <summary>qemu argument lists from the recipe; <c>{name}</c> placeholders are filled by
/// <see cref="QemuCommandLine"/>.</summary>
public sealed record QemuRecipe(
    string Binary,
    IReadOnlyList<string> Kvm,
    IReadOnlyList<string> Tcg,
    IReadOnlyList<string> Machine,
    IReadOnlyList<string> Boot,
    string Cmdline,
    IReadOnlyList<string> Console,
    IReadOnlyList<string> HostRoot,
    IReadOnlyList<string> SharedDirectory,
    IReadOnlyList<string> ChannelBus,
    IReadOnlyList<string> Channel,
    IReadOnlyList<string> Disk);

/// <summary>
/// containers/vm/recipe.json: kernel lines by name (→ Debian package), the top-level modules per feature group,
/// and qemu's arguments. Data, not code, so a new kernel line or module is a one-line change. The copy built
/// into this assembly is the default; <see cref="Load(string)"/> reads another file.
/// </summary>
public sealed record VmRecipe(
    IReadOnlyDictionary<string, string> KernelPackages,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ModuleGroups,
    IReadOnlyList<string> AlwaysLoaded,
    IReadOnlyList<string> LoadedWithDisks,
    QemuRecipe Qemu)
{
    private const string ResourceName = "Bridge.Targets.Vm.recipe.json";

    public static VmRecipe Default { get; } = LoadEmbedded();

    public static VmRecipe Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new VmSetupException($"cannot read the VM recipe '{path}': {e.Message}", e);
        }
        return Parse(text, path);
    }

    private static VmRecipe LoadEmbedded()
    {
        using var stream = typeof(VmRecipe).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from {typeof(VmRecipe).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "recipe.json (embedded)");
    }

    /// <summary>The Debian package of a kernel line, or a clear error listing the known lines.</summary>
    public string PackageOf(string line) =>
        KernelPackages.TryGetValue(line, out var package)
            ? package
            : throw new VmSetupException($"unknown kernel line '{line}'; expected one of: {string.Join(", ", KernelPackages.Keys.Order())} (or a bzImage path)");

    /// <summary>The top-level modules of the named groups, in group order, each once.</summary>
    public IReadOnlyList<string> ModulesOf(IEnumerable<string> groups)
    {
        var modules = new List<string>();
        foreach (var group in groups)
        {
            if (!ModuleGroups.TryGetValue(group, out var members))
                throw new VmSetupException($"unknown module group '{group}'; expected one of: {string.Join(", ", ModuleGroups.Keys)}");
            modules.AddRange(members.Where(m => !modules.Contains(m)));
        }
        return modules;
    }

    public static VmRecipe Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new VmSetupException($"{source}: not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            var reader = new Reader(source);
            var lines = reader.Member(root, "kernelLines").EnumerateObject()
                .ToDictionary(p => p.Name, p => reader.String(reader.Member(p.Value, "package", $"kernelLines.{p.Name}"), $"kernelLines.{p.Name}.package"));
            var groups = reader.Member(root, "moduleGroups").EnumerateObject()
                .ToDictionary(p => p.Name, p => reader.Strings(p.Value, $"moduleGroups.{p.Name}"));
            var always = reader.Strings(reader.Member(root, "alwaysLoaded"), "alwaysLoaded");
            var withDisks = reader.Strings(reader.Member(root, "loadedWithDisks"), "loadedWithDisks");
            foreach (var group in always.Concat(withDisks).Where(g => !groups.ContainsKey(g)))
                throw new VmSetupException($"{source}: group '{group}' is used but not defined in moduleGroups");
            var q = reader.Member(root, "qemu");
            var qemu = new QemuRecipe(
                reader.String(reader.Member(q, "binary", "qemu"), "qemu.binary"),
                reader.Strings(reader.Member(q, "kvm", "qemu"), "qemu.kvm"),
                reader.Strings(reader.Member(q, "tcg", "qemu"), "qemu.tcg"),
                reader.Strings(reader.Member(q, "machine", "qemu"), "qemu.machine"),
                reader.Strings(reader.Member(q, "boot", "qemu"), "qemu.boot"),
                reader.String(reader.Member(q, "cmdline", "qemu"), "qemu.cmdline"),
                reader.Strings(reader.Member(q, "console", "qemu"), "qemu.console"),
                reader.Strings(reader.Member(q, "hostRoot", "qemu"), "qemu.hostRoot"),
                reader.Strings(reader.Member(q, "sharedDirectory", "qemu"), "qemu.sharedDirectory"),
                reader.Strings(reader.Member(q, "channelBus", "qemu"), "qemu.channelBus"),
                reader.Strings(reader.Member(q, "channel", "qemu"), "qemu.channel"),
                reader.Strings(reader.Member(q, "disk", "qemu"), "qemu.disk"));
            return new VmRecipe(lines, groups, always, withDisks, qemu);
        }
    }

    private sealed class Reader(string source)
    {
        public JsonElement Member(JsonElement parent, string name, string? at = null) =>
            parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value)
                ? value
                : throw new VmSetupException($"{source}: missing '{(at is null ? name : $"{at}.{name}")}'");

        public string String(JsonElement element, string at) =>
            element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } s
                ? s
                : throw new VmSetupException($"{source}: '{at}' must be a non-empty string");

        public IReadOnlyList<string> Strings(JsonElement element, string at) =>
            element.ValueKind == JsonValueKind.Array
                ? [.. element.EnumerateArray().Select((e, i) => String(e, $"{at}[{i}]"))]
                : throw new VmSetupException($"{source}: '{at}' must be an array of strings");
    }
}
