using System.CommandLine;
using Bridge.Targets;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge cleanup</c>: gives back what killed runs left on this host (every run also does this first).</summary>
public static class CleanupCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "only list what would be given back" };
        var command = new Command("cleanup", "Give back what runs killed outright (SIGKILL, a power loss) left on this host: scratch directories and their mounts and loop devices, huge page reservations, qemu processes and VM run directories, containers and their directories, rxe devices. Each run records them in its ledger before taking them; a run whose process (pid and start time) no longer runs is swept. Runs do this themselves before they start. Exit 0: nothing is left; 1: something could not be given back.")
        {
            dryRun,
        };
        command.SetAction(async parse =>
        {
            var dry = parse.GetValue(dryRun);
            var found = await Leftovers.SweepAsync(dry);
            foreach (var (resource, failure) in found)
                Console.WriteLine(dry ? $"would give back {resource}" : failure is null ? $"gave back {resource}" : $"could not give back {resource}: {failure}");
            if (found.Count == 0)
                Console.WriteLine("nothing left by killed runs");
            return found.Any(l => l.Failure is not null) ? 1 : 0;
        });
        return command;
    }
}
