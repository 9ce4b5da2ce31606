namespace Bridge.Targets.Vm.Recipe;

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
/// containers/vm/recipe.json: the Debian archive and the kernel lines that follow its suites, the top-level
/// modules per feature group, and qemu's arguments. Data, not code: the copy built into this assembly is the
/// default (<see cref="Default"/>), and a user extends or overrides it without rebuilding with a recipe.json next to
/// the executable and then one in the configuration directory (<see cref="Configured"/>): later files add lines,
/// suites and groups by name, replace those they name again, remove those they set to null, and replace lists
/// and qemu keys they give.
/// </summary>
public sealed record VmRecipe(
    ArchiveRecipe Archive,
    IReadOnlyDictionary<string, KernelLine> KernelLines,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ModuleGroups,
    IReadOnlyList<string> AlwaysLoaded,
    IReadOnlyList<string> LoadedWithDisks,
    QemuRecipe Qemu,
    IReadOnlyList<string> Sources)
{
    public const string FileName = "recipe.json";
    private const string ResourceName = "Bridge.Targets.Vm.recipe.json";
    private static readonly Lazy<VmRecipe> Embedded = new(LoadEmbedded);
    private static readonly Lazy<VmRecipe> FromFiles = new(() => Merge([EmbeddedLayer(), .. OverrideFiles().Select(ReadLayer)]));

    /// <summary>The recipe built into this assembly.</summary>
    public static VmRecipe Default => Embedded.Value;

    /// <summary>The built-in recipe with the user's files over it (<see cref="OverrideFiles"/>), read once.</summary>
    /// <exception cref="RecipeException">A file has errors: every one, as file:line:col.</exception>
    public static VmRecipe Configured => FromFiles.Value;

    /// <summary>$XDG_CONFIG_HOME/pinbridge (or ~/.config/pinbridge): the command's name.</summary>
    public static string ConfigDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"), "pinbridge");

    /// <summary>The recipe files that extend the built-in one, in the order they apply: next to the executable,
    /// then the configuration directory's (the user's own wins).</summary>
    public static IReadOnlyList<string> OverrideFiles() =>
        [.. new[] { Path.Combine(AppContext.BaseDirectory, FileName), Path.Combine(ConfigDirectory, FileName) }.Where(File.Exists)];

    /// <summary>The built-in recipe with the file at <paramref name="path"/> over it.</summary>
    public static VmRecipe Load(string path) => Merge([EmbeddedLayer(), ReadLayer(path)]);

    /// <summary>A complete recipe from one text (every section present).</summary>
    public static VmRecipe Parse(string json, string source) => Merge([RecipeLayer.Parse(json, source)]);

    /// <summary>The kernel line named <paramref name="name"/>, or a clear error listing the known lines.</summary>
    public KernelLine Line(string name) =>
        KernelLines.TryGetValue(name, out var line)
            ? line
            : throw new VmSetupException($"unknown kernel line '{name}'; expected one of: {string.Join(", ", KernelLines.Keys.Order(StringComparer.Ordinal))} (or a bzImage path)");

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

    /// <summary>Applies the layers in order and checks what only the whole shows: every section present, every
    /// suite a line follows has a mirror, every group the lists name is defined.</summary>
    /// <exception cref="RecipeException">Every error, each at the file:line:col that caused it.</exception>
    public static VmRecipe Merge(IReadOnlyList<RecipeLayer> layers)
    {
        var errors = new List<string>();
        var settings = new Dictionary<string, string>();
        var suites = new Dictionary<string, string>();
        IReadOnlyList<string>? images = null;
        var lines = new Dictionary<string, KernelLine>();
        var groups = new Dictionary<string, IReadOnlyList<string>>();
        IReadOnlyList<string>? always = null, withDisks = null;
        string? alwaysAt = null, withDisksAt = null;
        var qemu = new Dictionary<string, object>();
        foreach (var layer in layers)
        {
            foreach (var (key, value) in layer.ArchiveSettings)
                settings[key] = value;
            Apply(suites, layer.Suites);
            images = layer.ImagePackages ?? images;
            Apply(lines, layer.KernelLines);
            Apply(groups, layer.ModuleGroups);
            if (layer.AlwaysLoaded is { } a)
                (always, alwaysAt) = (a, layer.Where["alwaysLoaded"]);
            if (layer.LoadedWithDisks is { } w)
                (withDisks, withDisksAt) = (w, layer.Where["loadedWithDisks"]);
            foreach (var (key, value) in layer.Qemu)
                qemu[key] = value;
        }
        var first = layers[0].Source;
        foreach (var key in new[] { "keyring", "component", "architecture" }.Where(k => !settings.ContainsKey(k)))
            errors.Add($"{first}: missing 'archive.{key}'");
        if (images is null)
            errors.Add($"{first}: missing 'archive.imagePackages'");
        foreach (var line in lines.Values)
            foreach (var suite in line.Suites.Where(s => !suites.ContainsKey(s)))
                errors.Add($"{line.Origin}: kernel line '{line.Name}' follows suite '{suite}', which archive.suites does not name (expected one of: {string.Join(", ", suites.Keys)})");
        foreach (var (list, at, name) in new[] { (always, alwaysAt, "alwaysLoaded"), (withDisks, withDisksAt, "loadedWithDisks") })
        {
            if (list is null)
                errors.Add($"{first}: missing '{name}'");
            foreach (var group in list ?? [])
                if (!groups.ContainsKey(group))
                    errors.Add($"{at}: '{name}' names group '{group}', which moduleGroups does not define");
        }
        foreach (var key in RecipeLayer.QemuKeys.Where(k => !qemu.ContainsKey(k)))
            errors.Add($"{first}: missing 'qemu.{key}'");
        if (errors.Count > 0)
            throw new RecipeException(errors);
        string S(string key) => (string)qemu[key];
        IReadOnlyList<string> L(string key) => (IReadOnlyList<string>)qemu[key];
        return new VmRecipe(
            new ArchiveRecipe(settings["keyring"], settings["component"], settings["architecture"], suites, images!),
            lines, groups, always!, withDisks!,
            new QemuRecipe(S("binary"), L("kvm"), L("tcg"), L("machine"), L("boot"), S("cmdline"), L("console"), L("hostRoot"), L("sharedDirectory"), L("channelBus"), L("channel"), L("disk")),
            [.. layers.Select(l => l.Source)]);
    }

    private static void Apply<T>(Dictionary<string, T> into, Dictionary<string, T?> layer)
        where T : class
    {
        foreach (var (name, value) in layer)
        {
            if (value is null)
                into.Remove(name);
            else
                into[name] = value;
        }
    }

    private static RecipeLayer ReadLayer(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VmSetupException($"cannot read the VM recipe '{path}': {e.Message}", e);
        }
        return RecipeLayer.Parse(text, path);
    }

    private static RecipeLayer EmbeddedLayer()
    {
        using var stream = typeof(VmRecipe).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from {typeof(VmRecipe).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return RecipeLayer.Parse(reader.ReadToEnd(), "recipe.json (built in)");
    }

    private static VmRecipe LoadEmbedded() => Merge([EmbeddedLayer()]);
}
