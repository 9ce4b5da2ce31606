using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>
/// Scenarios `pinbridge explore` shrank from findings of the model (seed 1, 3000 scenarios per era) that were the
/// oracle's errors, not the kernel's: the same text on the real kernel showed what the model showed (6.18 on the host
/// for the first three, Debian 6.1.0-57 under qemu for the last three, 2026-12-02). Each model of a correct kernel —
/// every era here — must judge them without findings.
/// </summary>
public class ExploredOracleTests
{
    public static TheoryData<string, string> Scenarios() => new()
    {
        // A write(2) racing past EOF grows the file: what raced it, and what followed, lands in blocks the file has.
        { "race-write-grows-the-file", "backing ext4\nmap shared\nfile size=104K block=8K\ntruncate size=32K\nrace for=1ms\n  write gen=2 blocks=12\nend\nuring-read gen=6 blocks=12\ncheck\n" },
        { "race-write-grows-under-a-read", "backing ext4\nmap shared\nfile size=88K block=8K\ntruncate size=8K\nrace count=1\n  uring-read gen=1 blocks=4\n  write gen=2 blocks=10\nend\ncheck\n" },
        // A pin refused on a read-only private mapping faulted nothing: the mapping still shows the file's page.
        { "refused-before-faulting", "backing ext4\nmap private\nfile size=36K block=4K\nmprotect ro\npin uring-register blocks=8\npunch blocks=8\nwrite gen=5 blocks=8\ncheck\n" },
        // A pin refused after GUP faulted for writing (io_uring before 6.5) left a private copy: the mapping keeps it.
        { "refused-after-faulting-write", "backing ext4\nmap private\nfile size=4K block=4K\npin uring-register blocks=0\nwrite gen=2 blocks=0\ncheck\n" },
        { "refused-after-faulting-a-hole", "backing ext4\nmap private\nfile size=48K block=4K\npunch blocks=11\npin uring-register blocks=11\nwrite gen=3 blocks=11\ncheck\n" },
        { "refused-past-eof-then-grown", "backing ext4\nmap private\nfile size=88K block=8K\ntruncate size=64K\npin uring-register blocks=8\nodirect-write-file gen=5 blocks=10\ncheck\n" },
        { "refused-after-faulting-copy-range", "backing ext4\nmap private\nfile size=12K block=4K\npin uring-register blocks=2\ncopy-range gen=2 blocks=2\ncheck\n" },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void The_oracle_allows_what_the_kernel_and_its_model_do(string name, string text)
    {
        var scenario = Repo.Parse(text, name);
        foreach (var policy in PolicyCatalog.All)
        {
            var (observation, verdict) = Repo.Judge(scenario, policy);
            Assert.True(!verdict.HasFindings, $"{policy.Name}: {string.Join("; ", verdict.Findings)} ({string.Join(", ", observation.Steps.Where(s => !s.Ok).Select(s => $"{s.Step}: {s}"))})");
        }
    }
}
