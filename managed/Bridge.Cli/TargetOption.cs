using System.CommandLine;
using Bridge.Core.Execution;
using Bridge.Targets;
using Bridge.Targets.Container;
using Bridge.Targets.Host;
using Bridge.Targets.Sim;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;
using Bridge.Targets.Vm.Recipe;

namespace Bridge.Cli;

/// <summary><c>--target</c> (with <c>--kernel</c>/<c>--modules</c> for a user's kernel): where scenarios run.</summary>
public sealed class TargetOption
{
    public const string Help = "host (this kernel, in-process) | container[:IMAGE] (a privileged container on the local or a private Docker engine) | vm:LINE[@VERSION] (a Debian kernel booted under qemu, " +
                               "newest of the line or the version given; 'pinbridge kernels' lists lines and versions) | vm (with --kernel) | sim:POLICY (the kernel model: linux-2019-legacy, linux-6.1, linux-6.5+)";

    public Option<string> Target { get; } = new("--target") { Description = "where to run: " + Help, DefaultValueFactory = _ => "host" };
    public Option<string?> Kernel { get; } = new("--kernel") { Description = "with --target vm: a bzImage to boot (a kernel you built)" };
    public Option<string?> Modules { get; } = new("--modules") { Description = "with --kernel: its modules directory (…/lib/modules/RELEASE)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Target);
        command.Options.Add(Kernel);
        command.Options.Add(Modules);
    }

    /// <param name="stepTimeout">How long a step may take before it is a hang (<see cref="TimeoutOption"/>); the
    /// simulator's model has no time to wait for.</param>
    public ITarget Open(ParseResult parse, TimeSpan? stepTimeout = null) => Open(parse.GetValue(Target)!, parse.GetValue(Kernel), parse.GetValue(Modules), stepTimeout);

    public static ITarget Open(string spec, string? kernel = null, string? modules = null, TimeSpan? stepTimeout = null)
    {
        if (kernel is not null && spec != "vm")
            throw new UsageException($"--kernel goes with --target vm, not '{spec}'");
        var timeout = stepTimeout ?? StepTimeouts.Default;
        return spec switch
        {
            "host" => new HostTarget() { StepTimeout = timeout },
            "container" => new ContainerTarget() { StepTimeout = timeout },
            _ when spec.StartsWith("container:", StringComparison.Ordinal) => new ContainerTarget(spec["container:".Length..]) { StepTimeout = timeout },
            _ when spec.StartsWith("sim:", StringComparison.Ordinal) => Simulator(spec["sim:".Length..]),
            "vm" when kernel is null => throw new UsageException($"--target vm needs --kernel PATH/bzImage [--modules PATH/lib/modules/RELEASE], or use vm:LINE[@VERSION] ({string.Join(", ", LineNames())})"),
            "vm" => new VmTarget(KernelSource.Image(Existing(kernel, "--kernel"), modules is null ? null : Existing(modules, "--modules"))) { StepTimeout = timeout },
            _ when spec.StartsWith("vm:", StringComparison.Ordinal) => new VmTarget(KernelLine(spec["vm:".Length..])) { StepTimeout = timeout },
            _ => throw new UsageException($"unknown target '{spec}'; expected: {Help}"),
        };
    }

    public static SimulatorTarget Simulator(string policy)
    {
        try
        {
            return SimulatorTarget.ForPolicy(policy);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary><c>LINE[@VERSION]</c> of a line the recipe defines; the version is resolved when the VM boots.</summary>
    public static KernelSource KernelLine(string spec)
    {
        var source = (KernelSource.KernelLine)KernelSource.Line(spec);
        if (!Recipe().KernelLines.ContainsKey(source.Name))
            throw new UsageException($"unknown kernel line '{source.Name}'; expected vm:LINE[@VERSION] with LINE one of: {string.Join(", ", LineNames())}, or --target vm --kernel PATH");
        if (source.Version is "")
            throw new UsageException($"'vm:{spec}' names no version after '@' (expected vm:{source.Name}@VERSION, e.g. a version 'pinbridge kernels' lists)");
        return source;
    }

    /// <summary>The configured recipe (built in, extended by the user's files); a broken file is a usage error.</summary>
    public static VmRecipe Recipe()
    {
        try
        {
            return VmRecipe.Configured;
        }
        catch (RecipeException e)
        {
            throw new UsageException($"the VM recipe has errors:\n{e.Message}");
        }
    }

    private static IEnumerable<string> LineNames() => Recipe().KernelLines.Keys.Order(StringComparer.Ordinal);

    private static string Existing(string path, string option) =>
        File.Exists(path) || Directory.Exists(path) ? Path.GetFullPath(path) : throw new UsageException($"{option} {path}: no such file or directory");
}
