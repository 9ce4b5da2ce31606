using System.CommandLine;
using Bridge.Targets;
using Bridge.Targets.Container;
using Bridge.Targets.Host;

namespace Bridge.Cli;

/// <summary><c>--target</c>: where scenarios run.</summary>
public static class TargetOption
{
    public static Option<string> Create() => new("--target")
    {
        Description = "where to run: host (this kernel, in-process) | container[:IMAGE] (a privileged container on the local or a private Docker engine)",
        DefaultValueFactory = _ => "host",
    };

    public static ITarget Open(string spec) => spec switch
    {
        "host" => new HostTarget(),
        "container" => new ContainerTarget(),
        _ when spec.StartsWith("container:", StringComparison.Ordinal) => new ContainerTarget(spec["container:".Length..]),
        _ => throw new UsageException($"unknown target '{spec}'; expected: host, container[:IMAGE]"),
    };
}
