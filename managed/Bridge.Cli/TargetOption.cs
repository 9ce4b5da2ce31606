using System.CommandLine;
using Bridge.Targets;
using Bridge.Targets.Host;

namespace Bridge.Cli;

/// <summary><c>--target</c>: where scenarios run.</summary>
public static class TargetOption
{
    public static Option<string> Create() => new("--target")
    {
        Description = "where to run: host (this kernel)",
        DefaultValueFactory = _ => "host",
    };

    public static ITarget Open(string spec) => spec switch
    {
        "host" => new HostTarget(),
        _ => throw new UsageException($"unknown target '{spec}'; expected: host"),
    };
}
