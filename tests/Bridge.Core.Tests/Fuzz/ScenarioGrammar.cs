using Bridge.Core.Scenarios;
using CsCheck;

namespace Bridge.Core.Tests.Fuzz;

/// <summary>
/// Scenario and matrix files generated from the same tables the parser reads (<see cref="Verbs"/>,
/// <see cref="BackingTable"/>, <see cref="PinPathTable"/>): a new verb, argument kind or backing is fuzzed without
/// editing this file. Values are mostly well-formed, with a share of the hostile ones a user can type: numbers past
/// every integer type, digits of other scripts, sizes whose int cast is 0, durations of centuries, unknown names.
/// </summary>
internal static class ScenarioGrammar
{
    private static Gen<string> Pick(params string[] values) => Gen.OneOf(values);

    private static Gen<string> Mostly(Gen<string> usual, Gen<string> hostile) => Gen.Frequency((6, usual), (1, hostile));

    private static readonly Gen<string> HostileNumber = Pick(
        "0", "-1", "4294967296", "99999999999999999999", "18446744073709551616", "٣", "٠-٣", "１２", "𝟙", "1e9", "0x10", "",
        "2147483647", "2147483648", "9223372036854775807");

    private static readonly Gen<string> Size = Mostly(
        Pick("4K", "8K", "16K", "32K", "64K", "256K", "1M", "2M", "4M", "65536"),
        Gen.OneOf(HostileNumber, Pick("4G", "8G", "1G", "1T", "4097", "٦٤K", "64k", "16777216K", "999999999999G")));

    private static readonly Gen<string> Block = Mostly(Pick("4K", "8K", "16K", "2M"), Gen.OneOf(HostileNumber, Pick("4G", "8G", "1K", "512", "4095")));

    private static readonly Gen<string> Blocks = Mostly(
        Gen.OneOf(
            Pick("all"),
            Gen.Int[0, 15].Select(n => $"{n}"),
            Gen.Select(Gen.Int[0, 15], Gen.Int[0, 15], (a, b) => $"{Math.Min(a, b)}-{Math.Max(a, b)}"),
            Gen.Select(Gen.Int[0, 7], Gen.Int[8, 15], (a, b) => $"{a},{b}")),
        Gen.OneOf(HostileNumber, Pick("0-99999999999999999999", "5-2", "0-1048575", "0-262143", ",", "1,,2", "-3", "3-", "all,1")));

    private static readonly Gen<string> Generation = Mostly(Gen.Int[1, 12].Select(n => $"{n}"), Gen.OneOf(HostileNumber, Pick("65535", "65536")));

    private static readonly Gen<string> Duration = Mostly(
        Pick("1ms", "10ms", "100ms", "1s", "2s"),
        Pick("0s", "99999999m", "2147483648ms", "525600000m", "1h", "5", "٣s", "1.5s", "-1s"));

    private static readonly Gen<string> Count = Mostly(Gen.Int[1, 50].Select(n => $"{n}"), Gen.OneOf(HostileNumber, Pick("1000000", "1000001")));

    private static readonly Gen<string> Target = Mostly(Pick("out", "copy", "out2"), Pick("data", "src", "a/b", "../x", new string('n', 40), "\u202Eevil"));

    private static readonly string[] AccessFlags = PinPathTable.All.SelectMany(p => p.AccessFlags.Keys).Distinct().ToArray();

    private static Gen<string> Value(ArgSpec spec) => spec.Kind switch
    {
        ArgKind.Gen => Generation,
        ArgKind.Blocks => Blocks,
        ArgKind.Size => Size,
        ArgKind.Target => Target,
        ArgKind.PinPath => Mostly(Gen.OneOf(PinPathTable.All.Select(p => p.Name).ToArray()), Pick("nvme", "")),
        ArgKind.Access => AccessFlags.Length == 0
            ? Pick("none")
            : Mostly(Gen.OneOf(AccessFlags).Array[1, 3].Select(a => string.Join(',', a.Distinct())), Pick("remote-atomic", ",", "")),
        ArgKind.Mode => Mostly(Gen.OneOf(spec.Choices!.ToArray()), Pick("later", "")),
        ArgKind.Duration => Duration,
        ArgKind.Count => Count,
        _ => HostileNumber, // an argument kind added later still gets values, hostile ones at least
    };

    /// <summary>One argument as written: positional or key=value; sometimes left out, sometimes unknown.</summary>
    private static Gen<string> Argument(ArgSpec spec) =>
        Gen.Frequency(
            (spec.Required ? 12 : 5, Value(spec).Select(v => spec.Positional ? v : $"{spec.Key}={v}")),
            (spec.Required ? 1 : 4, Gen.Const("")),
            (1, Pick("bogus=1", "=", "gen=1", "blocks=all")));

    /// <summary>A step line of one verb from the table, its arguments in table order.</summary>
    public static Gen<string> Step(VerbInfo verb) =>
        verb.Args.Count == 0
            ? Gen.Const(verb.Keyword)
            : verb.Args.Select(Argument).Aggregate(Gen.Const(verb.Keyword), (line, arg) => Gen.Select(line, arg, (l, a) => a.Length == 0 ? l : $"{l} {a}"));

    private static readonly VerbInfo[] Plain = Verbs.All.Where(v => v.Effect != Effect.Race).ToArray();

    private static readonly Gen<string> AnyStep = Gen.OneOf(Plain.Select(Step).ToArray());

    private static readonly Gen<string> RaceStep = Gen.OneOf(Plain.Where(v => v.AllowedInRace).Select(Step).ToArray());

    private static readonly Gen<string> Race =
        Gen.Select(Step(Verbs.All.Single(v => v.Effect == Effect.Race)), RaceStep.Array[0, 4], Gen.Int[0, 9],
            (head, body, shape) => shape switch
            {
                0 => head + "\n" + string.Join('\n', body.Select(b => "  " + b)), // never closed
                1 => head + "\n" + head + "\n" + string.Join('\n', body) + "\nend\nend", // nested
                _ => head + "\n" + string.Join('\n', body.Select(b => "  " + b)) + "\nend",
            });

    private static readonly Gen<string> Body = Gen.Frequency((8, AnyStep), (2, Race)).Array[0, 14].Select(s => string.Join('\n', s));

    public static readonly Gen<string> Header =
        Gen.Select(
            Gen.Frequency((3, Gen.Const("")), (1, Pick("scenario fuzz", "scenario", "scenario a b", "scenario \u001b[2J"))),
            Mostly(Gen.OneOf(BackingTable.All.Select(b => b.Name).ToArray()), Pick("zfs", "", "ext4 xfs")),
            Pick("", "map shared", "map private", "map both"),
            Gen.Select(Size, Gen.Frequency((3, Gen.Const("")), (2, Block.Select(b => $" block={b}"))), Pick("", "", " init=data", " init=hole", " init=maybe", " extra=1"),
                (s, b, i) => $"file size={s}{b}{i}"),
            (name, backing, map, file) => string.Join('\n', new[] { name, backing.Length == 0 ? "backing" : $"backing {backing}", map, file }.Where(l => l.Length > 0)));

    /// <summary>A single scenario: headers, steps and races, usually a check.</summary>
    public static readonly Gen<string> Scenario =
        Gen.Select(Header, Body, Gen.Frequency((5, Gen.Const("check")), (1, Gen.Const(""))), (h, b, c) => $"{h}\n{b}\n{c}\n");

    /// <summary>A matrix: vary lines over table values, exclude/set clauses (duplicate and unknown keys and values
    /// included), and a template that uses the variables.</summary>
    public static readonly Gen<string> Matrix =
        Gen.Select(
            Gen.OneOf(BackingTable.All.Select(b => b.Name).ToArray()).Array[1, 4],
            Gen.OneOf(Gen.Const("-"), AnyStep.Where(s => !s.Contains(' '))).Array[1, 3],
            Gen.Int[1, 6].Array[0, 3],
            Pick("", "exclude b=anon", "exclude b=zfs", "exclude z=1", "exclude b=ext4 b=xfs", "exclude s=- b=ext4", "exclude", "exclude b"),
            Pick("", "set size = 64K", "set size = 2M if b=hugetlb", "set size = 1M if b=ext4 b=xfs", "set size = 1M if b=nope", "set b = 1", "set size = 1M if q=1"),
            Body,
            (backings, syncs, gens, exclude, set, body) => string.Join('\n',
                "matrix fuzz",
                $"vary b = {string.Join(' ', backings)}",
                $"vary s = {string.Join(' ', syncs.Select(s => s.Length == 0 ? "-" : s))}",
                gens.Length > 0 ? $"vary g = {string.Join(' ', gens)}" : "",
                exclude,
                set,
                "backing {b}",
                set.StartsWith("set size", StringComparison.Ordinal) ? "file size={size}" : "file size=64K",
                gens.Length > 0 ? "store gen={g}" : "store gen=1",
                "{s}",
                body,
                "check") + "\n");
}
