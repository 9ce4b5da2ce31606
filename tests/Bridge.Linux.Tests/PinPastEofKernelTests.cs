using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Linux.Tests;

/// <summary>The kernel's side of a long-term pin whose range reaches past EOF: io_uring_register_buffers fails with
/// EFAULT at the first page past it (the fault there is SIGBUS), after GUP faulted the pages before it for writing —
/// in a private mapping, copies that stay: after write(2) changes the file's block, the mapping still reads the copy,
/// as after a pin of the in-file block alone. The oracle allows it; the model does it (PinPastEofModelTests). Found by
/// pinbridge explore (seed 3) as a disagreement with the model.</summary>
public class PinPastEofKernelTests
{
    public static TheoryData<string> FileBackings => [.. BackingTable.All.Where(b => b.HasFile && b.PageSize == BackingTable.BasePage).Select(b => b.Name)];

    [Theory]
    [MemberData(nameof(FileBackings))]
    public void A_pin_reaching_past_eof_is_efault_after_copying_the_pages_before_it(string backing)
    {
        Content MappingBlock1(string blocks, out Observation observation, out Bridge.Core.Oracle.ScenarioVerdict verdict)
        {
            (var scenario, observation, verdict) = KernelRun.Run(
                $"backing {backing}\nmap private\nfile size=12K block=4K\ntruncate size=8K\npin uring-register blocks={blocks}\nwrite gen=2 blocks=1\ncheck\n");
            Assert.SkipWhen(observation.Skip is not null, observation.Skip ?? "");
            Assert.False(verdict.HasFindings, KernelRun.Explain(scenario, observation, verdict));
            return observation.Checks.Single().Views.Single(v => v is { File: "data", Path: ReadPath.Mapping }).Blocks[1].Content;
        }
        var inFile = MappingBlock1("1", out var pinned, out _);
        Assert.SkipWhen(pinned.Steps[1].Outcome != Outcome.Ok, $"this kernel refuses the pin of an in-file block on {backing}: {pinned.Steps[1]}");
        Assert.Equal(Content.Data(0), inFile);
        var pastEof = MappingBlock1("1-2", out var refused, out _);
        Assert.Equal("EFAULT", refused.Steps[1].Errno);
        Assert.Equal(Content.Data(0), pastEof);
    }
}
