using Bridge.Agent;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Linux.Execution;
using Bridge.Linux.Interop;
using Bridge.Targets.Agent;
using Bridge.Targets.Host;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;
using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Tests;

/// <summary>The parts of a power cut that need no VM: the host target's skip, the agent stream that joins the boots
/// into one observation, the disks' cache mode.</summary>
public class PowerCutHostTests
{
    private const string Crash = "backing ext4\nmap shared\nfile size=64K\nstore gen=1\nfsync\ncrash\ncheck\n";

    [Fact]
    public async Task TheHostTargetSkipsAScenarioThatCutsThePowerSayingItNeedsTheVmTarget()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "ext4 loop mounts need root");
        var scenario = ScenarioFile.Parse(Crash, "crash.scn")[0];

        var observed = new List<Observation>();
        await using (var host = new HostTarget())
            await foreach (var o in host.RunAsync([scenario], TestContext.Current.CancellationToken))
                observed.Add(o);

        var observation = Assert.Single(observed);
        Assert.Equal(Sequencer.NeedsPowerCut(scenario.StepAt(2)), observation.Skip);
        Assert.Equal("'crash' (line 6) needs the VM target (--target vm:LINE): only a VM's power can be cut and the kernel booted again on the same disks", observation.Skip);
        Assert.All(observation.Steps, s => Assert.Equal(Outcome.NotRun, s.Outcome));
        Assert.Empty(observation.Checks);
        var verdict = Oracle.Judge(scenario, observation);
        Assert.Equal((VerdictClass.Skipped, observation.Skip), (verdict.Class, verdict.SkipReason));
    }

    [Fact]
    public async Task TheStreamJoinsTheBootsBeforeAndAfterAPowerCutIntoOneObservation()
    {
        var scenario = ScenarioFile.Parse(Crash, "crash.scn")[0];
        var env = new RunEnvironment("vm:test", "6.12", "ext4");
        var before = new Observation(scenario.Name, 5, env, [StepResult.Success(0, 1, 2), StepResult.Success(1, 3, 4), StepResult.Success(2, 5, 5)], [], ["boot 1"]);
        var point = new PowerCutPoint(2, 5, before.Steps, "s1", new Dictionary<string, string> { ["ext4"] = "/dev/vda" });
        var after = new Observation(scenario.Name, 5, env, [StepResult.Success(3, 1, 2)],
            [new CheckObservation(3, [new ViewRead(CheckPlan.DataFile, ReadPath.Disk, []), new ViewRead(CheckPlan.DataFile, ReadPath.Buffered, [])])], ["recovery complete"]);
        (string Scenario, PowerCutPoint Point)? requested = null;

        var observed = await Collect(stream =>
        {
            stream.PowerCutRequested += (name, p) => requested = (name, p);
            // The messages travel as JSON lines: the point (with its devices and results) survives the trip.
            stream.OnLine(AgentProtocol.Encode(new AgentMessage("power-cut", Observation: before, PowerCut: point)));
            stream.OnLine(AgentProtocol.Encode(new AgentMessage("observation", Observation: after)));
            stream.Finish([scenario], "vm:test", null);
        });

        Assert.Equal(scenario.Name, requested!.Value.Scenario);
        Assert.Equal((2, 5ul, "s1", "/dev/vda", 3), (requested.Value.Point.CutAt, requested.Value.Point.RunId, requested.Value.Point.Directory,
            requested.Value.Point.Devices["ext4"], requested.Value.Point.Before.Count));
        var joined = Assert.Single(observed);
        Assert.Equal([0, 1, 2, 3], joined.Steps.Select(s => s.Step));
        Assert.Equal(["boot 1", Observation.PowerCutMark, "recovery complete"], joined.KernelLog);
        Assert.Equal(3, Assert.Single(joined.Checks).Step);
    }

    [Fact]
    public async Task TheStreamKeepsTheStepsBeforeTheCutWhenTheBootAfterItNeverReports()
    {
        var scenario = ScenarioFile.Parse(Crash, "crash.scn")[0];
        var before = new Observation(scenario.Name, 5, new RunEnvironment("vm:test", "6.12", "ext4"), [StepResult.Success(0, 1, 2)], [], []);

        var observed = await Collect(stream =>
        {
            stream.OnLine(AgentProtocol.Encode(new AgentMessage("power-cut", Observation: before, PowerCut: new PowerCutPoint(2, 5, before.Steps, "s1", new Dictionary<string, string>()))));
            stream.Finish([scenario], "vm:test", new AgentStream.Ending("the kernel did not boot again", AgentStream.EndingKind.Failed, []));
        });

        var observation = Assert.Single(observed);
        Assert.Equal([0], observation.Steps.Select(s => s.Step));
        Assert.Equal("not run: the kernel did not boot again", observation.Skip);
    }

    [Theory]
    [InlineData(false, "cache=unsafe")]
    [InlineData(true, "cache=writeback")]
    public void DisksHonourTheGuestsFlushesOnlyForARunThatCutsThePower(bool honour, string mode)
    {
        var spec = new VmSpec { Kernel = KernelSource.Line("debian-6.12"), Command = ["true"], HonourFlushes = honour };
        var args = QemuCommandLine.Build(VmRecipe.Default.Qemu, spec, new QemuCommandLine.Inputs(Accelerator.Tcg, "k", "i", "c", n => n, ["/r/disk0.img"]));
        Assert.Contains($"file=/r/disk0.img,if=virtio,format=raw,{mode}", args);
    }

    [Fact]
    public void ARecipeDiskWithoutACacheModeCannotServeARunThatCutsThePower()
    {
        var qemu = VmRecipe.Default.Qemu with { Disk = ["-drive", "file={image},if=virtio,format=raw,cache=unsafe"] };
        var spec = new VmSpec { Kernel = KernelSource.Line("debian-6.12"), Command = ["true"], HonourFlushes = true };
        var error = Assert.Throws<VmSetupException>(() => QemuCommandLine.Build(qemu, spec, new QemuCommandLine.Inputs(Accelerator.Tcg, "k", "i", "c", n => n, ["/r/d.img"])));
        Assert.Contains("has no {cache}", error.Message);
    }

    private static async Task<List<Observation>> Collect(Action<AgentStream> feed)
    {
        var list = new List<Observation>();
        await foreach (var o in AgentStream.RunAsync((stream, _) =>
        {
            feed(stream);
            return Task.CompletedTask;
        }, TestContext.Current.CancellationToken))
            list.Add(o);
        return list;
    }
}
