using System.CommandLine;
using Bridge.Core.Execution;

namespace Bridge.Cli;

/// <summary><c>--timeout DURATION</c> (run, regress, compare, policy): how long one step may take before it is a
/// hang — a race, its time bound plus this — on every target; a VM's or container's agent is given it.</summary>
public static class TimeoutOption
{
    public static Option<TimeSpan> Create() => new("--timeout")
    {
        Description = $"how long one step may take before it is a hang (a race: its time bound plus this): {StepTimeouts.Expected}; default {StepTimeouts.Default.TotalSeconds:0}s",
        HelpName = "DURATION",
        DefaultValueFactory = _ => StepTimeouts.Default,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (StepTimeouts.Parse(text) is { } timeout)
                return timeout;
            result.AddError($"--timeout '{text}': expected {StepTimeouts.Expected}");
            return default;
        },
    };
}
