using System.Diagnostics;
using System.Globalization;
using Bridge.Core.Observations;
using Bridge.Core.Probes;
using Bridge.Core.Scenarios;
using Bridge.Targets.Sim;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;
using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Tests.Vm;

/// <summary>
/// <c>make test-kernels</c>: every kernel line of the recipe, at its newest version, boots; the guest's release is the
/// one the package index resolved; the io_uring registration of an ext4 MAP_SHARED mapping gives what the line's model
/// (the simulator policy the recipe names) gives; and soft-RoCE comes up (<c>rdma link</c> shows rxe0 ACTIVE).
/// Several boots per line under TCG: too slow for <c>make test</c>, so these run only when
/// <c>BRIDGE_TEST_KERNELS=1</c>. Each line adds a row to artifacts/test-kernels/table.txt.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class KernelLinesTests(VmFixture vm)
{
    public const string Switch = "BRIDGE_TEST_KERNELS";

    public static TheoryData<string> Lines() => [.. VmRecipe.Default.KernelLines.Keys.Order(StringComparer.Ordinal)];

    public static string TablePath => Path.Combine(RepositoryRoot.Path, "artifacts", "test-kernels", "table.txt");

    [Theory]
    [MemberData(nameof(Lines))]
    public async Task TheNewestKernelOfTheLineBootsFollowsItsModelAndRunsSoftRoce(string lineName)
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(Switch) == "1", $"boots every kernel line; run by make test-kernels ({Switch}=1)");
        VmHost.RequireBoot();
        var ct = TestContext.Current.CancellationToken;
        var line = vm.Runner.Cache.Recipe.Line(lineName);
        var version = await vm.Runner.Cache.ResolveAsync(lineName, null, ct);
        var clock = Stopwatch.StartNew();

        var (result, stdout, stderr) = await vm.RunAsync(VmExec.Spec(KernelSource.Line($"{lineName}@{version.Abi}"),
            ["sh", "-c", $"uname -r; rdma link show {VmExec.RxeDevice}/1"], [], rxe: true, "/", null, TimeSpan.FromMinutes(5)));
        var bootSeconds = clock.Elapsed.TotalSeconds;
        Assert.True(result.Outcome == VmOutcome.Exited && result.ExitCode == 0, $"{result.Outcome} {result.ExitCode}: {result.Message} | {string.Join(" | ", stderr)} | {string.Join(" | ", result.ConsoleTail.TakeLast(8))}");
        Assert.Equal(version.Release, stdout[0]);
        Assert.Contains($"link {VmExec.RxeDevice}/1 state ACTIVE", stdout[1], StringComparison.Ordinal);

        var probes = PolicyProbes.All([PinPathTable.UringRegister.Name]).Where(p => p.Backing == BackingTable.Ext4 && p.Map == MapKind.Shared).ToList();
        var scenarios = probes.Select(PolicyProbes.ScenarioFor).ToList();
        var real = await Run(new VmTarget(KernelSource.Line($"{lineName}@{version.Abi}"), vm.Runner), scenarios);
        var model = line.Model ?? throw new InvalidOperationException($"kernel line {lineName} names no model in the recipe");
        var modeled = await Run(SimulatorTarget.ForPolicy(model), scenarios);
        var realPins = scenarios.Zip(real).Select(x => PinResult(x.First, x.Second)).ToList();
        var modelPins = scenarios.Zip(modeled).Select(x => PinResult(x.First, x.Second)).ToList();

        Directory.CreateDirectory(Path.GetDirectoryName(TablePath)!);
        await File.AppendAllTextAsync(TablePath, string.Create(CultureInfo.InvariantCulture,
            $"{lineName,-20} {version.Abi,-16} {stdout[0],-22} {string.Join(",", realPins),-8} {model + ": " + string.Join(",", modelPins),-18} {stdout[1].Split(' ').Take(5).Aggregate((a, b) => a + " " + b),-34} {bootSeconds,6:0.0} s\n"), ct);
        Assert.All(real, o => Assert.Equal(version.Release, o.Environment.KernelRelease));
        Assert.Equal(modelPins, realPins);
    }

    private static string PinResult(Scenario scenario, Observation observation) =>
        observation.Skip is { } skip ? $"skip: {skip}" : observation.ResultOf(scenario.AllSteps().First(s => s.Effect == Effect.Pin).Index)!.ToString();

    private static async Task<List<Observation>> Run(ITarget target, IReadOnlyList<Scenario> scenarios)
    {
        var list = new List<Observation>();
        await using (target)
            await foreach (var o in target.RunAsync(scenarios, TestContext.Current.CancellationToken))
                list.Add(o);
        return list;
    }
}
