using Bridge.Core.Scenarios;
using CsCheck;

namespace Bridge.Core.Tests.Fuzz;

/// <summary>
/// Scenario and matrix files generated from the same tables the parser reads (<see cref="Verbs"/>,
/// <see cref="BackingTable"/>, <see cref="PinPathTable"/>): a new verb, argument kind or backing is fuzzed without
/// editing this file. <see cref="Hostile"/> values are mostly well-formed, with a share of the hostile ones a user can
/// type: numbers past every integer type, digits of other scripts, sizes whose int cast is 0, durations of centuries,
/// unknown names, duplicate and unknown matrix clauses. <see cref="Clean"/> uses well-formed values only, so that
/// whole scenarios parse and the checks between steps (pins, generations, races, limits) are reached.
/// </summary>
internal sealed class ScenarioGrammar
{
    private static readonly string[] AccessFlags = PinPathTable.All.SelectMany(p => p.AccessFlags.Keys).Distinct().ToArray();
    private static readonly VerbInfo[] Plain = Verbs.All.Where(v => v.Effect != Effect.Race).ToArray();
    private static readonly VerbInfo RaceVerb = Verbs.All.Single(v => v.Effect == Effect.Race);
    private static readonly string[] Backings = BackingTable.All.Select(b => b.Name).ToArray();

    private static readonly Gen<string> HostileNumber = Pick(
        "0", "-1", "4294967296", "99999999999999999999", "18446744073709551616", "٣", "٠-٣", "１２", "𝟙", "1e9", "0x10", "",
        "2147483647", "2147483648", "9223372036854775807");

    // After the tables above: static fields initialise in text order.
    public static readonly ScenarioGrammar Hostile = new(hostile: true);
    public static readonly ScenarioGrammar Clean = new(hostile: false);

    private readonly bool _hostile;
    private readonly Gen<string> _size, _block, _blocks, _generation, _duration, _count, _target, _pinPath, _access;

    /// <summary>A single scenario: headers, steps and races, usually a check.</summary>
    public Gen<string> Scenario { get; }

    /// <summary>A matrix: vary lines over table values, exclude/set clauses and a template that uses them.</summary>
    public Gen<string> Matrix { get; }

    private ScenarioGrammar(bool hostile)
    {
        _hostile = hostile;
        _size = Mostly(
            Pick("4K", "8K", "16K", "32K", "64K", "256K", "1M", "2M", "4M", "65536"),
            Gen.OneOf(HostileNumber, Pick("4G", "8G", "1G", "1T", "4097", "٦٤K", "64k", "16777216K", "999999999999G")));
        _block = Mostly(Pick("4K", "8K", "16K"), Gen.OneOf(HostileNumber, Pick("4G", "8G", "2M", "1K", "512", "4095")));
        _blocks = Mostly(
            Gen.OneOf(
                Pick("all"),
                Gen.Int[0, 3].Select(n => $"{n}"),
                Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3], (a, b) => $"{Math.Min(a, b)}-{Math.Max(a, b)}"),
                Gen.Select(Gen.Int[0, 1], Gen.Int[2, 3], (a, b) => $"{a},{b}")),
            Gen.OneOf(HostileNumber, Pick("0-99999999999999999999", "5-2", "0-1048575", "0-262143", ",", "1,,2", "-3", "3-", "all,1", "15")));
        _generation = Mostly(Gen.Int[1, 40].Select(n => $"{n}"), Gen.OneOf(HostileNumber, Pick("65535", "65536")));
        _duration = Mostly(Pick("1ms", "10ms", "100ms", "1s", "2s"), Pick("0s", "99999999m", "2147483648ms", "525600000m", "1h", "5", "٣s", "1.5s", "-1s"));
        _count = Mostly(Gen.Int[1, 50].Select(n => $"{n}"), Gen.OneOf(HostileNumber, Pick("1000000", "1000001")));
        _target = Mostly(Pick("out", "copy", "out2"), Pick("data", "src", "a/b", "../x", new string('n', 40), "\u202Eevil"));
        _pinPath = Mostly(Gen.OneOf(PinPathTable.All.Select(p => p.Name).ToArray()), Pick("nvme", ""));
        _access = AccessFlags.Length == 0 ? Pick("none") : Mostly(Gen.OneOf(AccessFlags).Array[1, 3].Select(a => string.Join(',', a.Distinct())), Pick("remote-atomic", ",", ""));

        var anyStep = Gen.OneOf(Plain.Select(Step).ToArray());
        var raceStep = Gen.OneOf(Plain.Where(v => v.AllowedInRace).Select(Step).ToArray());
        var race = Gen.Select(Step(RaceVerb), raceStep.Array[hostile ? 0 : 1, 4], Gen.Int[0, 9], (head, body, shape) => shape switch
        {
            0 when hostile => head + "\n" + string.Join('\n', body.Select(b => "  " + b)), // never closed
            1 when hostile => head + "\n" + head + "\n" + string.Join('\n', body) + "\nend\nend", // nested
            _ => head + "\n" + string.Join('\n', body.Select(b => "  " + b)) + "\nend",
        });
        var body = Gen.Frequency((8, anyStep), (2, race)).Array[0, 14].Select(s => string.Join('\n', s));
        var header = Gen.Select(
            hostile ? Gen.Frequency((3, Gen.Const("")), (1, Pick("scenario fuzz", "scenario", "scenario a b", "scenario \u001b[2J"))) : Pick("", "scenario fuzz"),
            Mostly(Gen.OneOf(Backings), Pick("zfs", "", "ext4 xfs")),
            Mostly(Pick("", "map shared", "map private"), Pick("map both")),
            Gen.Select(_size, Gen.Frequency((3, Gen.Const("")), (2, _block.Select(b => $" block={b}"))), Mostly(Pick("", "", " init=data", " init=hole"), Pick(" init=maybe", " extra=1")),
                (s, b, i) => $"file size={s}{b}{i}"),
            (name, backing, map, file) => string.Join('\n', new[] { name, backing.Length == 0 ? "backing" : $"backing {backing}", map, file }.Where(l => l.Length > 0)));
        Scenario = Gen.Select(header, body, Mostly(Gen.Const("check"), Gen.Const("")), (h, b, c) => $"{h}\n{b}\n{c}\n");
        Matrix = Gen.Select(
            Gen.OneOf(Backings).Array[1, 4].Select(b => b.Distinct().ToArray()),
            Gen.OneOf(Gen.Const("-"), anyStep.Where(s => !s.Contains(' '))).Array[1, 3].Select(s => s.Distinct().ToArray()),
            Gen.Int[1, 6].Array[0, 3].Select(g => g.Distinct().ToArray()),
            Mostly(Pick("", "exclude b=anon"), Pick("exclude b=zfs", "exclude z=1", "exclude b=ext4 b=xfs", "exclude s=- b=ext4", "exclude", "exclude b")),
            Mostly(Pick("", "set size = 64K", "set size = 2M if b=hugetlb"), Pick("set size = 1M if b=ext4 b=xfs", "set size = 1M if b=nope", "set b = 1", "set size = 1M if q=1")),
            body,
            (backings, syncs, gens, exclude, set, steps) => string.Join('\n',
                "matrix fuzz",
                $"vary b = {string.Join(' ', backings)}",
                $"vary s = {string.Join(' ', syncs)}",
                gens.Length > 0 ? $"vary g = {string.Join(' ', gens)}" : "",
                exclude,
                set,
                "backing {b}",
                set.StartsWith("set size", StringComparison.Ordinal) ? "set size = 64K\nfile size={size}" : "file size=64K",
                gens.Length > 0 ? "store gen={g}" : "store gen=1",
                "{s}",
                steps,
                "check") + "\n");
    }

    private static Gen<string> Pick(params string[] values) => Gen.OneOf(values);

    private Gen<string> Mostly(Gen<string> usual, Gen<string> hostile) => _hostile ? Gen.Frequency((6, usual), (1, hostile)) : usual;

    private Gen<string> Value(ArgSpec spec) => spec.Kind switch
    {
        ArgKind.Gen => _generation,
        ArgKind.Blocks => _blocks,
        ArgKind.Size => _size,
        ArgKind.Target => _target,
        ArgKind.PinPath => _pinPath,
        ArgKind.Access => _access,
        ArgKind.Mode => Mostly(Gen.OneOf(spec.Choices!.ToArray()), Pick("later", "")),
        ArgKind.Duration => _duration,
        ArgKind.Count => _count,
        _ => HostileNumber, // an argument kind added later still gets values, hostile ones at least
    };

    /// <summary>One argument as written: positional or key=value; sometimes left out, sometimes unknown.</summary>
    private Gen<string> Argument(ArgSpec spec)
    {
        var written = Value(spec).Select(v => spec.Positional ? v : $"{spec.Key}={v}");
        return _hostile
            ? Gen.Frequency((spec.Required ? 12 : 5, written), (spec.Required ? 1 : 4, Gen.Const("")), (1, Pick("bogus=1", "=", "gen=1", "blocks=all")))
            : spec.Required ? written : Gen.Frequency((1, written), (1, Gen.Const("")));
    }

    /// <summary>A step line of one verb from the table, its arguments in table order.</summary>
    private Gen<string> Step(VerbInfo verb) =>
        verb.Args.Count == 0
            ? Gen.Const(verb.Keyword)
            : verb.Args.Select(Argument).Aggregate(Gen.Const(verb.Keyword), (line, arg) => Gen.Select(line, arg, (l, a) => a.Length == 0 ? l : $"{l} {a}"));
}
