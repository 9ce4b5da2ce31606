namespace Bridge.Targets.Vm;

/// <summary>
/// A kernel's module tree as depmod describes it: modules.dep (module → the modules it needs),
/// modules.softdep (modules it wants loaded before/after, often by alias such as crypto-crc32c),
/// modules.alias and modules.builtin(.modinfo) (what is compiled in and needs no loading).
/// <see cref="Resolve"/> turns a few top-level names into every file to insmod, in an order that loads each
/// module after everything it depends on — what modprobe would do, without modprobe in the guest.
/// </summary>
public sealed class ModuleIndex
{
    private readonly Dictionary<string, string> _paths = [];
    private readonly Dictionary<string, IReadOnlyList<string>> _dependencies = [];
    private readonly Dictionary<string, (List<string> Pre, List<string> Post)> _softDependencies = [];
    private readonly Dictionary<string, List<string>> _aliases = [];
    private readonly HashSet<string> _builtin = [];
    private readonly HashSet<string> _builtinAliases = [];

    private ModuleIndex(string directory) => Directory = directory;

    /// <summary>The module tree, <c>…/lib/modules/RELEASE</c>.</summary>
    public string Directory { get; }

    public string Release => Path.GetFileName(Directory);

    /// <summary>Module names (underscores, no extension) that have a file in modules.dep.</summary>
    public IEnumerable<string> Modules => _paths.Keys;

    /// <summary>The module name of a file or of a name as users write it: <c>kernel/arch/x86/crypto/crc32c-intel.ko.xz</c>
    /// and <c>crc32c-intel</c> are both <c>crc32c_intel</c> (the kernel treats - and _ in module names alike).</summary>
    public static string NameOf(string fileOrName)
    {
        var name = Path.GetFileName(fileOrName);
        var ko = name.IndexOf(".ko", StringComparison.Ordinal);
        if (ko >= 0 && (name.Length == ko + 3 || name[ko + 3] == '.'))
            name = name[..ko];
        return name.Replace('-', '_');
    }

    public static ModuleIndex Load(string modulesDirectory)
    {
        var index = new ModuleIndex(modulesDirectory);
        var dep = Path.Combine(modulesDirectory, "modules.dep");
        if (!File.Exists(dep))
            throw new VmSetupException($"'{modulesDirectory}' has no modules.dep (expected a module tree PATH/lib/modules/RELEASE indexed by depmod)");
        foreach (var line in File.ReadLines(dep))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
                continue;
            var path = line[..colon].Trim();
            var name = NameOf(path);
            index._paths[name] = path;
            index._dependencies[name] = [.. line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(NameOf)];
        }
        foreach (var line in ReadIfPresent(Path.Combine(modulesDirectory, "modules.builtin")))
            if (line.Trim() is { Length: > 0 } path)
                index._builtin.Add(NameOf(path));
        var modinfo = Path.Combine(modulesDirectory, "modules.builtin.modinfo");
        if (File.Exists(modinfo))
        {
            // NUL-separated "module.key=value" records; only the aliases of built-in code matter here.
            foreach (var record in File.ReadAllText(modinfo).Split('\0'))
                if (record.IndexOf(".alias=", StringComparison.Ordinal) is var at and > 0)
                    index._builtinAliases.Add(record[(at + ".alias=".Length)..]);
        }
        foreach (var line in ReadIfPresent(Path.Combine(modulesDirectory, "modules.alias")))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["alias", var alias, var module] && !alias.Contains('*') && !alias.Contains('?') && !alias.Contains('['))
            {
                if (!index._aliases.TryGetValue(alias, out var modules))
                    index._aliases[alias] = modules = [];
                modules.Add(NameOf(module));
            }
        }
        foreach (var line in ReadIfPresent(Path.Combine(modulesDirectory, "modules.softdep")))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3 || parts[0] != "softdep")
                continue;
            var name = NameOf(parts[1]);
            if (!index._softDependencies.TryGetValue(name, out var soft))
                index._softDependencies[name] = soft = ([], []);
            var into = soft.Pre;
            foreach (var word in parts.Skip(2))
            {
                if (word == "pre:") into = soft.Pre;
                else if (word == "post:") into = soft.Post;
                else into.Add(word);
            }
        }
        return index;
    }

    public bool IsBuiltin(string name) => _builtin.Contains(NameOf(name));

    /// <summary>Path of a module's file relative to <see cref="Directory"/>, as modules.dep gives it.</summary>
    public string PathOf(string name) =>
        _paths.TryGetValue(NameOf(name), out var path) ? path : throw new VmSetupException($"module '{name}' is not in {Release}'s modules.dep");

    /// <summary>
    /// Every module file (relative to <see cref="Directory"/>) needed to have <paramref name="wanted"/> loaded, in
    /// load order: hard dependencies first, soft pre-dependencies before, soft post-dependencies after; built-in
    /// modules are left out. A wanted name may be a module, a built-in or an alias; anything else is an error.
    /// Soft dependencies that resolve to nothing are skipped, as modprobe skips them.
    /// </summary>
    public IReadOnlyList<string> Resolve(IEnumerable<string> wanted)
    {
        var order = new List<string>();
        var state = new Dictionary<string, bool>(); // false: being visited, true: done
        foreach (var name in wanted)
            Visit(name, required: true, order, state);
        return [.. order.Select(n => _paths[n])];
    }

    private void Visit(string requested, bool required, List<string> order, Dictionary<string, bool> state)
    {
        var name = NameOf(requested);
        if (_builtin.Contains(name))
            return;
        if (_paths.ContainsKey(name))
        {
            if (state.ContainsKey(name))
                return; // done, or a cycle through soft dependencies, which modprobe also breaks
            state[name] = false;
            var soft = _softDependencies.GetValueOrDefault(name);
            foreach (var pre in soft.Pre ?? [])
                Visit(pre, required: false, order, state);
            foreach (var dependency in _dependencies[name])
                Visit(dependency, required: true, order, state);
            order.Add(name);
            state[name] = true;
            foreach (var post in soft.Post ?? [])
                Visit(post, required: false, order, state);
            return;
        }
        if (_builtinAliases.Contains(requested))
            return;
        if (_aliases.TryGetValue(requested, out var providers))
        {
            foreach (var provider in providers)
                Visit(provider, required, order, state);
            return;
        }
        if (required)
            throw new VmSetupException($"module '{requested}' is not in {Release}: neither a module in modules.dep, nor built in (modules.builtin), nor an alias (modules.alias) (expected a module name such as ext4 or crc32c-intel)");
    }

    private static IEnumerable<string> ReadIfPresent(string path) => File.Exists(path) ? File.ReadLines(path) : [];
}
