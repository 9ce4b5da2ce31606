using System.CommandLine;
using Bridge.Targets.Analysis;

namespace Bridge.Cli.Commands;

/// <summary><c>bridge compare</c>: each scenario on a real kernel and on the model; every disagreement, step by step
/// and block by block. Where they disagree, either the model or the kernel is wrong: that is a finding.</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var files = ScenarioOptions.Files();
        var suite = ScenarioOptions.Suite();
        var policy = SimCommand.PolicyOption();
        var target = new TargetOption();
        var timeout = TimeoutOption.Create();
        var command = new Command("compare", "Run scenarios on a real kernel (--target) and on the simulator (--policy) and report every disagreement: step results (errno) and per-block verdict classes. Exit 0: they agree; 1: disagreements.")
        {
            files, suite, policy, timeout,
        };
        target.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var scenarios = ScenarioLoader.Load(parse.GetValue(files) ?? [], parse.GetValue(suite) ?? []);
            await using var real = target.Open(parse, parse.GetValue(timeout));
            await using var sim = TargetOption.Simulator(parse.GetValue(policy)!);
            var results = await ModelComparison.CompareAsync(real, sim, scenarios, ct);
            int agree = 0, disagree = 0, skipped = 0;
            foreach (var (scenario, list, notCompared) in results)
            {
                // A scenario the real target could not run (no RDMA device here) is not compared, and says why.
                if (notCompared is not null)
                {
                    skipped++;
                    Console.WriteLine($"skipped   {scenario.Name}: {notCompared}");
                    continue;
                }
                if (list.Count == 0)
                    agree++;
                else
                    disagree++;
                Console.WriteLine(list.Count == 0 ? $"agree     {scenario.Name}" : $"DISAGREE  {scenario.Name} [{scenario.Label}]");
                foreach (var d in list)
                    Console.WriteLine($"    {d}");
            }
            Console.WriteLine($"{results.Count} scenarios on {real.Name} vs {sim.Name}: {agree} agree, {disagree} disagree, {skipped} not compared");
            return disagree == 0 ? 0 : 1;
        });
        return command;
    }
}
