using System.Text;

using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Vm;

/// <summary>Fills the recipe's qemu argument lists for one run. Values that land inside qemu's
/// <c>key=value,…</c> option syntax have their commas doubled, qemu's escape for a literal comma.</summary>
internal static class QemuCommandLine
{
    public sealed record Inputs(
        Accelerator Accelerator,
        string Kernel,
        string Initrd,
        string ConsoleLog,
        Func<string, string> SocketOf,
        IReadOnlyList<string> DiskImages);

    /// <summary>qemu's cache mode for a disk whose flushes must reach the host's media (a run that cuts the power).</summary>
    public const string HonouringFlushes = "writeback";

    /// <summary>qemu's cache mode otherwise: the images are deleted after the run, so an fdatasync of them buys
    /// nothing (bench/vm-disk-cache measures what it would cost).</summary>
    public const string DroppingFlushes = "unsafe";

    public static IReadOnlyList<string> Build(QemuRecipe recipe, VmSpec spec, Inputs inputs)
    {
        if (spec.MemoryMiB < 128)
            throw new VmSetupException($"memory {spec.MemoryMiB} MiB is too small (expected at least 128 MiB; the default is 2048)");
        if (spec.Cpus < 1)
            throw new VmSetupException($"cpus {spec.Cpus} is not valid (expected 1 or more)");
        var cmdline = string.Join(' ', spec.KernelArguments.Prepend(recipe.Cmdline));
        var common = new Dictionary<string, string>
        {
            ["memoryMiB"] = spec.MemoryMiB.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["cpus"] = spec.Cpus.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["kernel"] = inputs.Kernel,
            ["initrd"] = inputs.Initrd,
            ["cmdline"] = cmdline,
            ["consoleLog"] = inputs.ConsoleLog,
        };
        var args = new List<string>();
        args.AddRange(Fill(inputs.Accelerator == Accelerator.Kvm ? recipe.Kvm : recipe.Tcg, common));
        args.AddRange(Fill(recipe.Machine, common));
        args.AddRange(Fill(recipe.Boot, common));
        args.AddRange(Fill(recipe.Console, common));
        args.AddRange(Fill(recipe.HostRoot, common));
        if (spec.SharedDirectory is { } shared)
            args.AddRange(Fill(recipe.SharedDirectory, new Dictionary<string, string>(common) { ["shared"] = shared }));
        args.AddRange(Fill(recipe.ChannelBus, common));
        foreach (var channel in GuestChannel.Names)
            args.AddRange(Fill(recipe.Channel, new Dictionary<string, string>(common) { ["channel"] = channel, ["socket"] = inputs.SocketOf(channel) }));
        var cache = spec.HonourFlushes ? HonouringFlushes : DroppingFlushes;
        if (spec.HonourFlushes && inputs.DiskImages.Count > 0 && !recipe.Disk.Any(a => a.Contains("{cache}", StringComparison.Ordinal)))
            throw new VmSetupException($"the recipe's qemu.disk ({string.Join(' ', recipe.Disk)}) has no {{cache}}: a run that cuts the power needs disks that honour the guest's flushes (expected cache={{cache}} in the -drive options)");
        foreach (var image in inputs.DiskImages)
            args.AddRange(Fill(recipe.Disk, new Dictionary<string, string>(common) { ["image"] = image, ["cache"] = cache }));
        return args;
    }

    private static IEnumerable<string> Fill(IReadOnlyList<string> template, IReadOnlyDictionary<string, string> values) =>
        template.Select(arg => FillOne(arg, values));

    private static string FillOne(string arg, IReadOnlyDictionary<string, string> values)
    {
        var isOptionList = arg.Contains('=') || arg.Contains(',');
        var filled = new StringBuilder();
        for (var i = 0; i < arg.Length; i++)
        {
            var end = arg[i] == '{' ? arg.IndexOf('}', i) : -1;
            if (end < 0)
            {
                filled.Append(arg[i]);
                continue;
            }
            var name = arg[(i + 1)..end];
            if (!values.TryGetValue(name, out var value))
                throw new VmSetupException($"qemu argument '{arg}' in the recipe uses {{{name}}}; expected one of {string.Join(", ", values.Keys.Select(k => $"{{{k}}}"))}");
            filled.Append(isOptionList ? value.Replace(",", ",,", StringComparison.Ordinal) : value);
            i = end;
        }
        return filled.ToString();
    }
}
