using System.Diagnostics;
using Bridge.Bench.Sim;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Simulator;
using Bridge.Core.Exploration;
using Bridge.Simulator.Policies;

// Two workloads: the seed's lost-write scenario (15 steps, two checks that read every path), and a long run of
// data steps (store, dma, fsync, odirect-read, msync …) with one check at the end. The peer does the same work
// without the model: the verb-table lookup and the page-sized stamp copies each step implies.
var seed = ScenarioFile.ParseOne(File.ReadAllText(Args.Scenario("seed/lost-write-after-writeback.scn")), "seed.scn", "seed");
var stream = ScenarioFile.ParseOne(Workloads.DataSteps(2000), "stream.scn", "stream");
var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2.0;

foreach (var (name, scenario) in new[] { ("seed scenario (with checks)", seed), ("data steps, one check", stream) })
{
    var sim = Measure(seconds, () => { Simulator.Run(scenario, PolicyCatalog.Legacy2019, 1); return scenario.StepCount; });
    var peer = Measure(seconds, () => Peer.Run(scenario));
    Console.WriteLine($"{name,-28} simulator {sim / 1e6,6:F2} M steps/s   raw loop {peer / 1e6,7:F2} M steps/s   ratio {sim / peer:F3}");
}

// Exploration on the model (the generator, the model, the oracle): scenarios per second and how many it takes to
// reach the legacy era's lost write (the tests assert the finding; the time belongs here).
foreach (var walkSeed in new ulong[] { 1, 2, 3 })
{
    var clock = Stopwatch.StartNew();
    var generator = new ScenarioGenerator(walkSeed);
    var tried = 0;
    for (; tried < 100_000; tried++)
    {
        var scenario = generator.Next($"explore-{walkSeed}-{tried}").TryParse("explore.scn")!;
        var verdict = Oracle.Judge(scenario, Simulator.Run(scenario, PolicyCatalog.Legacy2019, (ulong)tried));
        if (verdict.Findings.Any(f => f.Class == VerdictClass.LostWrite))
            break;
    }
    Console.WriteLine($"exploration seed {walkSeed}: lost-write under {PolicyCatalog.Legacy2019.Name} after {tried + 1} scenarios, {clock.ElapsedMilliseconds} ms " +
                      $"({(tried + 1) / clock.Elapsed.TotalSeconds:F0} scenarios/s)");
}

static double Measure(double seconds, Func<int> run)
{
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < 1)
        run(); // warm-up: tiered JIT and PGO settle within a second
    long steps = 0;
    clock.Restart();
    while (clock.Elapsed.TotalSeconds < seconds)
        steps += run();
    return steps / clock.Elapsed.TotalSeconds;
}
