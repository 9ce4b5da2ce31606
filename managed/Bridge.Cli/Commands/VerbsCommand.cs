using System.CommandLine;
using Bridge.Core.Scenarios;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge verbs</c>: the scenario language's steps, backings and pin paths, from the tables that the
/// parser, the executors and the simulator all use.</summary>
public static class VerbsCommand
{
    public static Command Create()
    {
        var command = new Command("verbs", "List the scenario language: headers, steps with their arguments, backings, pin paths and the input limits.");
        command.SetAction(_ =>
        {
            Console.WriteLine("headers: scenario NAME | backing NAME | map shared|private | file size=S [block=B] [init=data|hole]");
            Console.WriteLine("         matrix NAME | vary KEY = V… | exclude KEY=V… | set KEY = V [if KEY=V…]   (matrix files; {KEY} in the template)");
            Console.WriteLine();
            Console.WriteLine("steps:");
            foreach (var v in Verbs.All)
            {
                var args = string.Join(' ', v.Args.Select(a =>
                {
                    var text = a.Positional ? (a.Choices is null ? a.Key.ToUpperInvariant() : string.Join('|', a.Choices)) : $"{a.Key}=…";
                    return a.Required ? text : $"[{text}]";
                }));
                Console.WriteLine($"  {v.Keyword,-17} {args,-34} {v.Help}{(v.Privilege is { } needs ? $" (needs {needs}; skipped without)" : "")}{(v.AllowedInRace ? "" : " (not in races)")}");
            }
            Console.WriteLine("  end                                                closes a race");
            Console.WriteLine();
            Console.WriteLine("backings:");
            foreach (var b in BackingTable.All)
                Console.WriteLine($"  {b.Name,-9} {b.Description}");
            Console.WriteLine();
            Console.WriteLine("pin paths:");
            foreach (var p in PinPathTable.All)
                Console.WriteLine($"  {p.Name,-15} {p.Description}{(p.AccessFlags.Count > 0 ? $"; access: {string.Join(", ", p.AccessFlags.Keys)}" : "")}");
            Console.WriteLine();
            Console.WriteLine("limits (an input past one is an error at its file:line:col, exit 2):");
            foreach (var l in InputLimits.All)
                Console.WriteLine($"  {l.Name,-17} {l.Max,13:N0} {l.Unit}");
            return 0;
        });
        return command;
    }
}
