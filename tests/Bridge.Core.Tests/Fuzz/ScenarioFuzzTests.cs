using System.Diagnostics;
using System.Globalization;
using CsCheck;

namespace Bridge.Core.Tests.Fuzz;

/// <summary>
/// The parser against generated and mutated scenario files: every input yields scenarios or file:line:col errors,
/// within bounded time and allocation (<see cref="ParseProbe"/>). The inputs come from one fixed master seed, so a
/// run is reproducible; the budget is ~20 s in `make test` and longer in `make fuzz`
/// (BRIDGE_FUZZ_SECONDS, BRIDGE_FUZZ_SEED; BRIDGE_FUZZ_INPUTS stops after that many inputs). The first failing input is shrunk by CsCheck and reported with the seed
/// that regenerates it.
/// </summary>
public class ScenarioFuzzTests(ITestOutputHelper output)
{
    private const ulong FixedSeed = 20_260_213;

    private static readonly string[] RepositoryScenarios = FindScenarios();

    private static readonly Gen<string> Inputs = Gen.Frequency(
        (3, ScenarioGrammar.Clean.Scenario),
        (2, ScenarioGrammar.Clean.Matrix),
        (3, ScenarioGrammar.Hostile.Scenario),
        (2, ScenarioGrammar.Hostile.Matrix),
        (3, Mutations.Of(ScenarioGrammar.Hostile.Scenario)),
        (1, Mutations.Of(ScenarioGrammar.Hostile.Matrix)),
        (3, Mutations.Of(Gen.OneOf(RepositoryScenarios))),
        (1, Mutations.Binary));

    [Fact]
    public void EveryInputParsesOrIsRejectedWithPositionsInBoundedTimeAndMemory()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("BRIDGE_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 20;
        var inputs = long.TryParse(Environment.GetEnvironmentVariable("BRIDGE_FUZZ_INPUTS"), CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;
        var master = ulong.TryParse(Environment.GetEnvironmentVariable("BRIDGE_FUZZ_SEED"), CultureInfo.InvariantCulture, out var m) ? m : FixedSeed;
        output.WriteLine($"seed {master}, budget {seconds} s (BRIDGE_FUZZ_SEED={master} BRIDGE_FUZZ_SECONDS={seconds} make fuzz repeats it)");

        var census = Enum.GetValues<ProbeKind>().ToDictionary(k => k, _ => 0);
        var failures = new List<(string Seed, ProbeResult Result)>();
        var sequence = new PCG(1, master);
        var clock = Stopwatch.StartNew();
        // A crash of the whole test host (stack overflow, OOM kill) reports nothing: BRIDGE_FUZZ_TRACE=FILE names
        // each input's seed before it runs, so the last line is the culprit.
        using var trace = Environment.GetEnvironmentVariable("BRIDGE_FUZZ_TRACE") is { Length: > 0 } path ? new StreamWriter(path) { AutoFlush = true } : null;
        (TimeSpan Time, string Seed) slowest = default;
        (long Bytes, string Seed) mostAllocated = default;
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds) && census.Values.Sum() < inputs)
        {
            var pcg = new PCG(2, sequence.Next64());
            var seed = pcg.ToString();
            trace?.WriteLine(seed);
            string text;
            try
            {
                text = Inputs.Generate(pcg, null, out _);
            }
            catch (OutOfMemoryException)
            {
                // Parses judged hung are left running; when they hold the heap, nothing more can be tried.
                output.WriteLine($"stopped: no memory left to generate input {census.Values.Sum() + 1} (parses still running hold it)");
                failures.Add((seed, new ProbeResult(ProbeKind.Exhausted, "no memory left for the next input", default, 0)));
                break;
            }
            var result = ParseProbe.Run(text);
            census[result.Kind]++;
            if (result.Elapsed > slowest.Time)
                slowest = (result.Elapsed, seed);
            if (result.Allocated > mostAllocated.Bytes)
                mostAllocated = (result.Allocated, seed);
            if (result.Failed)
                failures.Add((seed, result));
        }

        var tried = census.Values.Sum();
        output.WriteLine($"inputs tried {tried}: " + string.Join(", ", census.Select(kv => $"{kv.Key.ToString().ToLowerInvariant()} {kv.Value}")));
        output.WriteLine($"slowest input {slowest.Time.TotalMilliseconds:0} ms of CPU (seed {slowest.Seed}), most allocated {mostAllocated.Bytes >> 20} MiB (seed {mostAllocated.Seed})");
        foreach (var group in failures.GroupBy(f => (f.Result.Kind, First(f.Result.Detail))).Take(20))
            output.WriteLine($"  {group.Key.Kind} ×{group.Count()}: {group.Key.Item2} (seed {group.First().Seed})");
        Assert.True(tried > 100, $"only {tried} inputs in {seconds} s");
        if (failures.Count == 0)
            return;

        // Shrink the first failure: CsCheck replays its seed, then searches for a smaller input that fails too.
        var first = failures[0];
        var shrunk = Assert.Throws<CsCheckException>(() => Inputs.Sample(
            text =>
            {
                var r = ParseProbe.Run(text);
                if (r.Failed)
                    throw new InvalidOperationException($"{r.Kind}: {r.Detail}");
            },
            seed: first.Seed, iter: 2_000, threads: 1, print: Show));
        Assert.Fail($"{failures.Count} of {tried} inputs failed; the first, shrunk:\n{shrunk.Message}");
    }

    private static string First(string detail) => detail.Length > 120 ? detail[..120] : detail;

    private static string Show(string text) =>
        text.Length > 2000 ? $"{text[..1000]}…[{text.Length} chars]…{text[^200..]}" : text;

    private static string[] FindScenarios()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var scenarios = Path.Combine(dir.FullName, "scenarios");
            if (File.Exists(Path.Combine(dir.FullName, "Bridge.sln")) && Directory.Exists(scenarios))
                return Directory.GetFiles(scenarios, "*.scn", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
        }
        throw new InvalidOperationException("the repository's scenarios/ directory is not above the test binaries");
    }
}
