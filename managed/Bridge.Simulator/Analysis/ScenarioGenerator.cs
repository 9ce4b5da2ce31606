using System.Globalization;
using System.Text;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Model;

namespace Bridge.Simulator.Analysis;

/// <summary>
/// Writes random scenario text that the parser accepts, from the tables alone: a backing of
/// <see cref="BackingTable"/>, then verbs of <see cref="Verbs"/> with arguments made from their
/// <see cref="ArgSpec"/>s (pin paths and access flags from <see cref="PinPathTable"/>). It tracks what the parser
/// checks — a pin before the steps that need it, no mapping after munmap, no mapping or pin after a power cut (and
/// none on a backing without storage), file-less backings, fresh generations, sizes in whole pages of the backing —
/// and picks, among the verbs that fit, by the weight of their effect.
/// Deterministic: the same random source gives the same text.
/// </summary>
public sealed class ScenarioGenerator(SplitMix64 random)
{
    private static readonly string[] Outputs = ["out", "out2"];

    private BackingInfo _backing = BackingTable.All[0];
    private int _blocks, _size, _blockSize;
    private (int First, int Last)? _pin;
    private (int First, int Last) _taking;
    private bool _mapped;
    private uint _gen;

    /// <summary>How often a verb is picked, by what it does: the walk must reach pins, device writes through them
    /// and persistence points often (that is where the contract breaks), the rest now and then.</summary>
    private static int Weight(VerbInfo verb) => verb.Effect switch
    {
        Effect.WriteThroughPin => 14,
        Effect.Pin => 10,
        Effect.WriteMapping => 7,
        Effect.Persist => 6,
        Effect.Race => 5,
        Effect.Unpin => 4,
        Effect.CopyThroughPin or Effect.Check => 3,
        Effect.CopyFromMapping or Effect.Evict or Effect.Protect or Effect.Resize or Effect.Punch or Effect.ForkWrite => 2,
        _ => 1,
    };

    public string Next(string name, int steps)
    {
        _backing = BackingTable.All[random.Below(BackingTable.All.Count)];
        // The file is a whole number of the backing's pages: 4-16 blocks of 4 KiB, or 4, 8 or 16 blocks of a huge page.
        _blocks = _size = _backing.PageSize == 4096 ? 4 + random.Below(13) : 4 << random.Below(3);
        _blockSize = (int)Math.Max(4096, _backing.PageSize / _blocks);
        _pin = null;
        _mapped = true;
        _gen = 0;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"scenario {name}\nbacking {_backing.Name}\nmap {(random.Below(4) == 0 ? "private" : "shared")}\n");
        text.Append(CultureInfo.InvariantCulture, $"file size={_blocks * _blockSize / 1024}K block={_blockSize / 1024}K\n");
        for (var i = 0; i < steps; i++)
            text.Append(Step(topLevel: true)).Append('\n');
        return text.Append(Verbs.Check.Keyword).Append('\n').ToString();
    }

    private string Step(bool topLevel)
    {
        var total = Verbs.All.Sum(Weight);
        while (true)
        {
            var roll = random.Below(total);
            var verb = Verbs.All.First(v => (roll -= Weight(v)) < 0);
            if (Fits(verb, topLevel))
                return verb.Effect == Effect.Race ? Race(verb) : Line(verb);
        }
    }

    private bool Fits(VerbInfo verb, bool topLevel)
    {
        if (!topLevel && (!verb.AllowedInRace || verb.Effect == Effect.Race))
            return false;
        if ((verb.NeedsFile && !_backing.HasFile) || (verb.NeedsMapping && !_mapped) || (verb.CutsPower && !_backing.HasStorage))
            return false;
        return verb.Effect switch
        {
            Effect.Pin => _pin is null,
            _ when verb.NeedsPin => _pin is not null,
            Effect.Resize => _backing.PageSize <= _blockSize, // a size must stay a whole number of pages
            _ => true,
        };
    }

    /// <summary>One step: its keyword, every required argument, and each optional one half the time.</summary>
    private string Line(VerbInfo verb)
    {
        var parts = new List<string> { verb.Keyword };
        PinPathInfo? path = null;
        _taking = (0, _blocks - 1); // a pin without blocks= takes every block
        foreach (var arg in verb.Args)
        {
            if (!arg.Required && random.Below(2) == 0)
                continue;
            if (Value(verb, arg, ref path) is { } value)
                parts.Add(arg.Positional ? value : $"{arg.Key}={value}");
        }
        switch (verb.Effect)
        {
            case Effect.Pin:
                _pin = _taking;
                break;
            case Effect.Unpin:
                _pin = null;
                break;
            case Effect.Unmap:
                _mapped = false;
                break;
        }
        if (verb.CutsPower)
            (_mapped, _pin) = (false, null); // neither survives the power cut
        return string.Join(' ', parts);
    }

    private string? Value(VerbInfo verb, ArgSpec arg, ref PinPathInfo? path)
    {
        switch (arg.Kind)
        {
            case ArgKind.Gen:
                return (++_gen).ToString(CultureInfo.InvariantCulture);
            case ArgKind.Blocks:
                return Blocks(verb);
            case ArgKind.Mode:
                return arg.Choices![random.Below(arg.Choices.Count)];
            case ArgKind.Size:
                _size = 1 + random.Below(_blocks);
                return $"{_size * _blockSize / 1024}K";
            case ArgKind.Count:
                return (1 + random.Below(40)).ToString(CultureInfo.InvariantCulture);
            case ArgKind.Duration:
                return $"{1 + random.Below(5)}ms"; // model time: a few thousand preemption points
            case ArgKind.Target:
                return Outputs[random.Below(Outputs.Length)];
            case ArgKind.PinPath:
                path = PinPathTable.All[random.Below(PinPathTable.All.Count)];
                return path.Name;
            case ArgKind.Access:
                var flags = path!.AccessFlags.Keys.ToList();
                if (flags.Count == 0)
                    return null; // the path has no choice
                var subset = 1 + random.Below((1 << flags.Count) - 1); // a non-empty set of flags
                return string.Join(',', flags.Where((_, i) => (subset & (1 << i)) != 0));
            default:
                throw new InvalidOperationException($"'{verb.Keyword}': no generator for {arg.Kind} arguments");
        }
    }

    /// <summary>Blocks a verb may name: within the pin for the pin's device; within the file as it is now for a
    /// touch of the mapping; anywhere in the file as made otherwise (a pin or a sync past EOF is a case too).</summary>
    private string Blocks(VerbInfo verb)
    {
        if (verb.NeedsPin)
            return Range(_pin!.Value.First, _pin.Value.Last);
        if (verb.Effect == Effect.Pin)
        {
            var first = random.Below(_blocks);
            _taking = (first, first + random.Below(_blocks - first));
            return $"{_taking.First}-{_taking.Last}";
        }
        return verb.NeedsMapping ? Range(0, _size - 1) : Range(0, _blocks - 1);
    }

    /// <summary>A race bounded by one of its arguments (the parser wants exactly one), around 2-3 body steps.</summary>
    private string Race(VerbInfo race)
    {
        PinPathInfo? none = null;
        var bound = race.Args[random.Below(race.Args.Count)];
        var head = $"{race.Keyword} {bound.Key}={Value(race, bound, ref none)}";
        var body = Enumerable.Range(0, 2 + random.Below(2)).Select(_ => "  " + Step(topLevel: false));
        return $"{head}\n{string.Join('\n', body)}\nend";
    }

    private string Range(int first, int last)
    {
        var a = first + random.Below(last - first + 1);
        var b = a + random.Below(last - a + 1);
        return a == b ? $"{a}" : $"{a}-{b}";
    }
}
