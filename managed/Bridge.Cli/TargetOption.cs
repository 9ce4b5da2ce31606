using System.CommandLine;
using Bridge.Targets;
using Bridge.Targets.Container;
using Bridge.Targets.Host;
using Bridge.Targets.Sim;
using Bridge.Simulator.Policies;

namespace Bridge.Cli;

/// <summary><c>--target</c>: where scenarios run.</summary>
public static class TargetOption
{
    public static Option<string> Create() => new("--target")
    {
        Description = "where to run: host (this kernel, in-process) | container[:IMAGE] (a privileged container on the local or a private Docker engine) | sim:POLICY (the kernel model: linux-2019-legacy, linux-6.1, linux-6.5+)",
        DefaultValueFactory = _ => "host",
    };

    public static ITarget Open(string spec) => spec switch
    {
        "host" => new HostTarget(),
        "container" => new ContainerTarget(),
        _ when spec.StartsWith("container:", StringComparison.Ordinal) => new ContainerTarget(spec["container:".Length..]),
        _ when spec.StartsWith("sim:", StringComparison.Ordinal) => new SimulatorTarget(Policy(spec["sim:".Length..])),
        _ => throw new UsageException($"unknown target '{spec}'; expected: host, container[:IMAGE], sim:POLICY"),
    };

    public static Policy Policy(string name) =>
        PolicyCatalog.Find(name) ?? throw new UsageException($"unknown policy '{name}'; expected one of: {string.Join(", ", PolicyCatalog.All.Select(p => p.Name))}");
}
