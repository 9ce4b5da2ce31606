using System.Globalization;
using Bridge.Core.Blocks;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Exploration;

/// <summary>
/// Writes random scenarios that the parser accepts, from the tables alone: a backing of <see cref="BackingTable"/>,
/// then verbs of <see cref="Verbs.All"/> with arguments made from their <see cref="ArgSpec"/>s (choices from
/// <see cref="ArgSpec.Choices"/>, pin paths and access flags from <see cref="PinPathTable"/>, bounds from
/// <see cref="InputLimits"/>). It keeps the rules the rows state — a verb that needs a file, the mapping or the pin
/// only where there is one, only race-allowed verbs in a race, fresh generations, sizes in whole pages — and checks
/// every step against the parser itself, so a verb row with a rule of its own is still only written where the
/// parser takes it. A verb row added to the table is generated without touching this class, unless it brings an
/// argument kind nobody generates yet (then its optional arguments are left out, and a required one keeps the verb
/// out: <c>ScenarioGeneratorTests</c> name it). Rows the target cannot run (<see cref="TargetLimits"/>) are never
/// written. Deterministic: the same seed and limits write the same scenarios.
/// </summary>
public sealed class ScenarioGenerator(ulong seed, TargetLimits? limits = null)
{
    private static readonly string[] Outputs = ["out", "out2"];
    private static readonly int[] BlockSizes = [4096, 4096, 8192, 16384];
    private readonly SplitMix64 _random = new(seed);
    private readonly TargetLimits _limits = limits ?? TargetLimits.None;
    private readonly IReadOnlyList<BackingInfo> _backings = [.. BackingTable.All.Where(b => !(limits ?? TargetLimits.None).Backings.ContainsKey(b))];
    private readonly IReadOnlyList<PinPathInfo> _pinPaths = [.. PinPathTable.All.Where(p => !(limits ?? TargetLimits.None).PinPaths.ContainsKey(p))];

    // The state of the scenario being written, as the parser will see it.
    private BackingInfo _backing = BackingTable.All[0];
    private int _blocks, _size, _blockSize;
    private (int First, int Last)? _pin;
    private bool _mapped;
    private uint _gen;

    /// <summary>How often a verb is picked, by what it does: exploration must reach pins, device writes through them
    /// and persistence points often (that is where the contract breaks), the rest now and then; an effect this table
    /// does not know (a new row) is picked as often as the rarest.</summary>
    private static int Weight(VerbInfo verb) => verb.Effect switch
    {
        Effect.WriteThroughPin => 14,
        Effect.Pin => 10,
        Effect.WriteMapping => 7,
        Effect.Persist => 6,
        Effect.Race => 5,
        Effect.Unpin => 4,
        Effect.CopyThroughPin or Effect.Check => 3,
        Effect.CopyFromMapping or Effect.Evict or Effect.Protect or Effect.Resize or Effect.Punch or Effect.ForkWrite or Effect.ShiftBlocks => 2,
        _ => 1,
    };

    /// <summary>The next scenario: 3-12 steps (races count as one) and a check at the end.</summary>
    public ScenarioForm Next(string name)
    {
        _backing = _backings.Count > 0 ? _backings[_random.Below(_backings.Count)] : throw new InvalidOperationException("the target runs no backing");
        // A whole number of the backing's pages: 4-16 blocks of 4-16 KiB, or a huge page cut into 4, 8 or 16 blocks.
        if (_backing.PageSize <= BlockSizes[^1])
        {
            _blocks = 4 + _random.Below(13);
            _blockSize = (int)Math.Max(_backing.PageSize, BlockSizes[_random.Below(BlockSizes.Length)]);
        }
        else
        {
            _blocks = 4 << _random.Below(3);
            _blockSize = (int)Math.Max(4096, _backing.PageSize / _blocks);
        }
        var geometry = new BlockGeometry(_blockSize, (long)_blocks * _blockSize);
        if (geometry.FileSize > InputLimits.DataFileSize.Max || _blocks > InputLimits.Blocks.Max)
            throw new InvalidOperationException($"the generator's file ({geometry.FileSize} bytes) is past the input limits");
        var map = _random.Below(4) == 0 ? MapKind.Private : MapKind.Shared;
        var init = _random.Below(8) == 0 ? InitialFill.Hole : InitialFill.Data;
        (_size, _pin, _mapped, _gen) = (_blocks, null, true, 0);
        var steps = new List<StepForm>();
        var form = new ScenarioForm(name, _backing, map, geometry, init, steps);
        var wanted = 3 + _random.Below(10);
        for (var attempts = 0; steps.Count < wanted && attempts < 20 * wanted; attempts++)
        {
            var state = (_size, _pin, _mapped, _gen);
            steps.Add(Step(topLevel: true));
            if (!Accepted(form))
            {
                // A rule of the row's own that this class does not track: the parser said no, so another verb goes here.
                steps.RemoveAt(steps.Count - 1);
                (_size, _pin, _mapped, _gen) = state;
            }
        }
        steps.Add(new StepForm(Verbs.Check, []));
        return form with { Steps = steps };
    }

    /// <summary>The steps so far, closed by a check, parse.</summary>
    private static bool Accepted(ScenarioForm form) =>
        (form with { Steps = [.. form.Steps, new StepForm(Verbs.Check, [])] }).TryParse("generated.scn") is not null;

    private StepForm Step(bool topLevel)
    {
        var fitting = Verbs.All.Where(v => Fits(v, topLevel)).ToList();
        var roll = _random.Below(fitting.Sum(Weight));
        var verb = fitting.First(v => (roll -= Weight(v)) < 0);
        return verb.Effect == Effect.Race ? Race(verb) : Line(verb);
    }

    private bool Fits(VerbInfo verb, bool topLevel)
    {
        if (!topLevel && (!verb.AllowedInRace || verb.Effect == Effect.Race))
            return false;
        if ((verb.NeedsFile && !_backing.HasFile) || (verb.NeedsMapping && !_mapped) || _limits.Verbs.ContainsKey(verb))
            return false;
        if (_pinPaths.Count == 0 && verb.Args.Any(a => a.Required && a.Kind == ArgKind.PinPath))
            return false;
        if (verb.Args.Any(a => a.Required && !Generated(a)))
            return false;
        return verb.Effect switch
        {
            Effect.Pin => _pin is null,
            _ when verb.NeedsPin => _pin is not null,
            Effect.Resize => _backing.PageSize <= _blockSize, // a size must stay a whole number of pages
            Effect.Check => topLevel,
            _ => true,
        };
    }

    /// <summary>Whether this class can write a value of the argument: a kind it knows, or a list of choices.</summary>
    private static bool Generated(ArgSpec arg) => arg.Choices is not null || arg.Kind is ArgKind.Gen or ArgKind.Blocks or ArgKind.Size
        or ArgKind.Count or ArgKind.Duration or ArgKind.Target or ArgKind.PinPath or ArgKind.Access;

    /// <summary>One step: every required argument, and each optional one half the time.</summary>
    private StepForm Line(VerbInfo verb)
    {
        var words = new List<string>();
        PinPathInfo? path = null;
        var taking = (First: 0, Last: _blocks - 1); // a pin without blocks= takes every block
        foreach (var arg in verb.Args)
        {
            if (!Generated(arg) || (!arg.Required && _random.Below(2) == 0))
                continue;
            if (Value(verb, arg, ref path, ref taking) is { } value)
                words.Add(arg.Positional ? value : $"{arg.Key}={value}");
        }
        switch (verb.Effect)
        {
            case Effect.Pin:
                _pin = taking;
                break;
            case Effect.Unpin:
                _pin = null;
                break;
            case Effect.Unmap:
                _mapped = false;
                break;
        }
        return new StepForm(verb, words);
    }

    private string? Value(VerbInfo verb, ArgSpec arg, ref PinPathInfo? path, ref (int First, int Last) taking)
    {
        if (arg.Choices is { } choices)
            return choices[_random.Below(choices.Count)];
        switch (arg.Kind)
        {
            case ArgKind.Gen:
                return (++_gen <= InputLimits.Generation.Max ? _gen : throw new InvalidOperationException("generations past gen= limit"))
                    .ToString(CultureInfo.InvariantCulture);
            case ArgKind.Blocks:
                return Blocks(verb, ref taking);
            case ArgKind.Size:
                _size = 1 + _random.Below(_blocks);
                return $"{(long)_size * _blockSize / 1024}K";
            case ArgKind.Count:
                return (1 + _random.Below((int)Math.Min(40, InputLimits.RaceCount.Max))).ToString(CultureInfo.InvariantCulture);
            case ArgKind.Duration:
                // A few milliseconds: on a kernel, thousands of iterations; in the model, thousands of preemption points.
                return $"{1 + _random.Below((int)Math.Min(5, InputLimits.RaceDuration.Max * 1000))}ms";
            case ArgKind.Target:
                return Outputs[_random.Below(Outputs.Length)];
            case ArgKind.PinPath:
                path = _pinPaths[_random.Below(_pinPaths.Count)];
                return path.Name;
            case ArgKind.Access:
                var flags = path?.AccessFlags.Keys.ToList() ?? [];
                if (flags.Count == 0)
                    return null; // the path has no choice
                var subset = 1 + _random.Below((1 << flags.Count) - 1); // a non-empty set of flags
                return string.Join(',', flags.Where((_, i) => (subset & (1 << i)) != 0));
            default:
                return null;
        }
    }

    /// <summary>Blocks a verb may name: within the pin for the pin's device; within the file as it is now for a
    /// touch of the mapping; anywhere in the file as made otherwise (a pin or a sync past EOF is a case too). Every
    /// form the parser reads: N, A-B, lists, and <c>all</c>.</summary>
    private string Blocks(VerbInfo verb, ref (int First, int Last) taking)
    {
        if (verb.NeedsPin)
            return Range(_pin!.Value.First, _pin.Value.Last);
        if (verb.Effect == Effect.Pin)
        {
            var first = _random.Below(_blocks);
            taking = (first, first + _random.Below(_blocks - first));
            return $"{taking.First}-{taking.Last}";
        }
        if (verb.Shift is { } shift)
            return Shifted(shift);
        var last = verb.NeedsMapping ? _size - 1 : _blocks - 1;
        return _random.Below(8) switch
        {
            0 when last == _blocks - 1 => "all",
            1 when last >= 3 => $"{Range(0, last / 2 - 1)},{Range(last / 2 + 1, last)}",
            _ => Range(0, last),
        };
    }

    /// <summary>One range (the call takes one offset and length), anywhere in the file as made (past its end too: a
    /// refusal is a case); where the kernel would take it, the file's size as the mapping's steps see it moves with it.</summary>
    private string Shifted(RangeShift shift)
    {
        var first = _random.Below(_blocks);
        var range = BlockSet.Range(first, first + _random.Below(_blocks - first));
        if (!shift.RefusedPastEof(range, _size))
            _size = Math.Clamp(_size + shift.Distance(range), 1, _blocks);
        return range.Count == 1 ? $"{first}" : $"{range.First}-{range.Last}";
    }

    /// <summary>A race bounded by one of its arguments (the parser wants exactly one), around 2-3 body steps.</summary>
    private StepForm Race(VerbInfo race)
    {
        PinPathInfo? none = null;
        var taking = (0, 0);
        var bound = race.Args[_random.Below(race.Args.Count)];
        var body = Enumerable.Range(0, 2 + _random.Below(2)).Select(_ => Step(topLevel: false)).ToList();
        return new StepForm(race, [$"{bound.Key}={Value(race, bound, ref none, ref taking)}"], body);
    }

    private string Range(int first, int last)
    {
        var a = first + _random.Below(last - first + 1);
        var b = a + _random.Below(last - a + 1);
        return a == b ? $"{a}" : $"{a}-{b}";
    }
}
