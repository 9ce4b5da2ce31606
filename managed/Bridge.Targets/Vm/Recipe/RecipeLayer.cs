using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bridge.Targets.Vm.Recipe;

/// <summary>
/// One recipe file as written: every section optional, so a user's file names only what it adds or replaces
/// (<see cref="VmRecipe.Merge"/>). Reading checks every value's type and collects every error with its
/// <c>file:line:col</c>; a member whose value is <c>null</c> removes the member of that name from the layers below.
/// Members whose name starts with <c>_</c> are comments.
/// </summary>
public sealed class RecipeLayer
{
    public static readonly IReadOnlyList<string> Sections = ["archive", "kernelLines", "moduleGroups", "alwaysLoaded", "loadedWithDisks", "qemu"];
    public static readonly IReadOnlyList<string> ArchiveKeys = ["keyring", "component", "architecture", "suites", "imagePackages"];
    public static readonly IReadOnlyList<string> LineKeys = ["suites", "flavour", "version", "description", "model"];
    public static readonly IReadOnlyList<string> QemuKeys = ["binary", "kvm", "tcg", "machine", "boot", "cmdline", "console", "hostRoot", "sharedDirectory", "channelBus", "channel", "disk"];
    private static readonly HashSet<string> QemuStringKeys = ["binary", "cmdline"];

    public required string Source { get; init; }
    public Dictionary<string, string> ArchiveSettings { get; } = [];
    public Dictionary<string, string?> Suites { get; } = [];
    public IReadOnlyList<string>? ImagePackages { get; set; }
    public Dictionary<string, KernelLine?> KernelLines { get; } = [];
    public Dictionary<string, IReadOnlyList<string>?> ModuleGroups { get; } = [];
    public IReadOnlyList<string>? AlwaysLoaded { get; set; }
    public IReadOnlyList<string>? LoadedWithDisks { get; set; }
    public Dictionary<string, object> Qemu { get; } = [];

    /// <summary>Where a group list was set, for errors found after merging (an undefined group).</summary>
    public Dictionary<string, string> Where { get; } = [];

    /// <summary>Reads one recipe file's text.</summary>
    /// <exception cref="RecipeException">Every error of the file, each as <c>file:line:col: …</c>.</exception>
    public static RecipeLayer Parse(string json, string source)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        var utf8 = Encoding.UTF8.GetBytes(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, options);
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            var reason = e.Message.Split(" LineNumber:", 2)[0].Split(" Path:", 2)[0].Trim();
            throw new RecipeException([$"{source}:{line}:{column}: not valid JSON: {reason}"]);
        }
        using (document)
        {
            var reader = new Reader(source, JsonLocations.Of(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }));
            var layer = new RecipeLayer { Source = source };
            layer.Read(document.RootElement, reader);
            if (reader.Errors.Count > 0)
                throw new RecipeException(reader.Errors);
            return layer;
        }
    }

    private void Read(JsonElement root, Reader r)
    {
        foreach (var (name, value, path) in r.Members(root, "", Sections, "the recipe"))
        {
            switch (name)
            {
                case "archive":
                    foreach (var (key, v, p) in r.Members(value, path, ArchiveKeys, "archive"))
                    {
                        if (key == "suites")
                        {
                            foreach (var (suite, uri, sp) in r.Members(v, p, null, "archive.suites"))
                                Suites[suite] = uri.ValueKind == JsonValueKind.Null ? null : r.String(uri, sp, "a mirror URI such as \"http://deb.debian.org/debian\"");
                        }
                        else if (key == "imagePackages")
                        {
                            ImagePackages = r.Strings(v, p, "package-name patterns with {version} and {flavour}, e.g. [\"linux-image-{version}-{flavour}\"]");
                            foreach (var (pattern, i) in (ImagePackages ?? []).Select((x, i) => (x, i)))
                                if (!pattern.Contains("{version}", StringComparison.Ordinal))
                                    r.Error($"{p}[{i}]", $"'{pattern}' has no {{version}} (expected a pattern such as \"linux-image-{{version}}-{{flavour}}\")");
                        }
                        else if (r.String(v, p, key == "keyring" ? "a keyring path such as \"/usr/share/keyrings/debian-archive-keyring.gpg\"" : $"a non-empty string") is { } s)
                        {
                            ArchiveSettings[key] = s;
                        }
                    }
                    break;
                case "kernelLines":
                    foreach (var (line, v, p) in r.Members(value, path, null, "kernelLines"))
                        KernelLines[line] = v.ValueKind == JsonValueKind.Null ? null : ReadLine(line, v, p, r);
                    break;
                case "moduleGroups":
                    foreach (var (group, v, p) in r.Members(value, path, null, "moduleGroups"))
                        ModuleGroups[group] = v.ValueKind == JsonValueKind.Null ? null : r.Strings(v, p, "an array of module names or aliases, e.g. [\"ext4\"]") ?? [];
                    break;
                case "alwaysLoaded":
                    AlwaysLoaded = r.Strings(value, path, "an array of module group names");
                    Where[name] = r.At(path);
                    break;
                case "loadedWithDisks":
                    LoadedWithDisks = r.Strings(value, path, "an array of module group names");
                    Where[name] = r.At(path);
                    break;
                case "qemu":
                    foreach (var (key, v, p) in r.Members(value, path, QemuKeys, "qemu"))
                    {
                        object? read = QemuStringKeys.Contains(key) ? r.String(v, p, "a non-empty string") : r.Strings(v, p, "an array of qemu arguments");
                        if (read is not null)
                            Qemu[key] = read;
                    }
                    break;
            }
        }
    }

    private static KernelLine? ReadLine(string name, JsonElement value, string path, Reader r)
    {
        var errors = r.Errors.Count;
        var members = r.Members(value, path, LineKeys, $"kernelLines.{name}").ToDictionary(m => m.Name, m => (m.Value, m.Path));
        IReadOnlyList<string>? suites = null;
        string? flavour = "amd64", version = null, description = "", model = null;
        if (members.TryGetValue("suites", out var s))
        {
            suites = r.Strings(s.Value, s.Path, "an array of suite names from archive.suites, e.g. [\"sid\"]");
            if (suites is { Count: 0 })
                r.Error(s.Path, "names no suite (expected at least one suite from archive.suites, e.g. [\"sid\"])");
        }
        else
        {
            r.Error(path, $"kernel line '{name}' has no 'suites' (expected e.g. \"suites\": [\"sid\"])");
        }
        if (members.TryGetValue("flavour", out var f))
            flavour = r.String(f.Value, f.Path, "a kernel flavour such as \"amd64\" or \"cloud-amd64\"");
        if (members.TryGetValue("version", out var v))
        {
            version = r.String(v.Value, v.Path, "a regular expression for the kernel's ABI name, e.g. \"6\\\\.1\\\\.0-[0-9]+\"");
            if (version is not null)
            {
                try
                {
                    _ = new Regex(version, RegexOptions.CultureInvariant);
                }
                catch (ArgumentException e)
                {
                    r.Error(v.Path, $"'{version}' is not a regular expression: {e.Message}");
                }
            }
        }
        else
        {
            r.Error(path, $"kernel line '{name}' has no 'version' (expected a regular expression for the kernel's ABI name, e.g. \"version\": \"6\\\\.12\\\\.[0-9]+\\\\+deb12[.0-9]*\")");
        }
        if (members.TryGetValue("description", out var d))
            description = r.String(d.Value, d.Path, "a string");
        if (members.TryGetValue("model", out var m))
            model = r.String(m.Value, m.Path, "the simulator policy whose rules the line's kernels are expected to follow, e.g. \"linux-6.5+\"");
        return r.Errors.Count > errors ? null : new KernelLine(name, suites!, flavour!, version!, description ?? "", r.At(path)) { Model = model };
    }

    /// <summary>Typed access to a layer's values with every error recorded at its file:line:col.</summary>
    private sealed class Reader(string source, JsonLocations locations)
    {
        public List<string> Errors { get; } = [];

        public string At(string path)
        {
            var (line, column) = locations.Value(path);
            return $"{source}:{line}:{column}";
        }

        public void Error(string path, string message, bool atName = false)
        {
            var (line, column) = atName ? locations.Name(path) : locations.Value(path);
            Errors.Add($"{source}:{line}:{column}: {(path.Length == 0 ? "" : $"'{path}' ")}{message}");
        }

        /// <summary>The members of an object; names outside <paramref name="known"/> (when given) are errors,
        /// except comments (<c>_…</c>).</summary>
        public IEnumerable<(string Name, JsonElement Value, string Path)> Members(JsonElement element, string path, IReadOnlyList<string>? known, string what)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                Error(path, $"must be an object (expected {{ … }} for {what})");
                yield break;
            }
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name.StartsWith('_'))
                    continue;
                var member = JsonLocations.Join(path, property.Name);
                if (known is not null && !known.Contains(property.Name))
                {
                    Error(member, $"is not a key of {what} (expected one of: {string.Join(", ", known)})", atName: true);
                    continue;
                }
                yield return (property.Name, property.Value, member);
            }
        }

        public string? String(JsonElement element, string path, string expected)
        {
            if (element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } text)
                return text;
            Error(path, $"must be a non-empty string (expected {expected})");
            return null;
        }

        public IReadOnlyList<string>? Strings(JsonElement element, string path, string expected)
        {
            if (element.ValueKind != JsonValueKind.Array)
            {
                Error(path, $"must be an array of strings (expected {expected})");
                return null;
            }
            var list = new List<string>();
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                if (String(item, $"{path}[{i++}]", expected) is { } text)
                    list.Add(text);
            }
            return list;
        }
    }
}

/// <summary>A recipe file with errors: every one of them, each <c>file:line:col: …</c>.</summary>
public sealed class RecipeException(IReadOnlyList<string> errors) : VmSetupException(string.Join('\n', errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
