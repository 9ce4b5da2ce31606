namespace Bridge.Cli.Tests;

/// <summary>Races whose steps could fault the harness itself: a CPU store racing mprotect(PROT_READ) once SIGSEGVed
/// `pinbridge` (and, in a VM, the guest agent: every later scenario of the boot went unrun, which is why explore on
/// Debian 6.1 missed seed 1's lost write in a 732-scenario boot that a fresh boot showed).</summary>
public class HarnessFaultTests
{
    [Fact]
    public void Stores_racing_mprotect_never_fault_the_run()
    {
        using var dir = new TempOutput();
        // Anonymous memory: no mount, no root. Six scenarios of 200 ms each: before stores and protection changes
        // were serialized, every run of this test died of SIGSEGV (exit 134) in three tries out of three.
        var files = Enumerable.Range(1, 6).Select(i =>
        {
            File.WriteAllText(dir[$"s{i}.scn"], $"scenario store-vs-mprotect-{i}\nbacking anon\nmap private\nfile size=64K block=4K\n" +
                "race for=200ms\n  mprotect ro\n  mprotect rw\n  store gen=1 blocks=all\nend\ncheck\n");
            return dir[$"s{i}.scn"];
        }).ToArray();

        var (code, stdout, stderr) = BridgeProcess.Run(["run", .. files, "--json"]);
        File.WriteAllText(dir["run.json"], stdout);

        Assert.True(code == 0, $"exit {code}\n{stderr}");
        Assert.Equal("{\"intact\":6}", Consumers.Jq(dir["run.json"], ".targets[0].counts"));
        // The race raced: stores ran between the protection changes (the store is step 3 of each scenario).
        Assert.True(Consumers.Jq<int>(dir["run.json"], "[.targets[0].scenarios[].observation.steps[] | select(.step == 3) | .race.iterations] | add") > 0);
    }
}
