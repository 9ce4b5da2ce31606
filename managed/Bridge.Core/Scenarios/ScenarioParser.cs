using Bridge.Core.Blocks;

namespace Bridge.Core.Scenarios;

/// <summary>
/// Parses one scenario (see DESIGN.md §3). Headers come first — <c>scenario NAME</c>, <c>backing NAME</c>,
/// <c>map shared|private</c>, <c>file size=S [block=B] [init=data|hole]</c> — then one step per line, with
/// <c>race for=T|count=N</c> … <c>end</c> around steps that run concurrently. Every error is collected with its
/// position and the form that was expected; a file with any error yields no scenario at all.
/// </summary>
internal sealed class ScenarioParser
{
    private readonly string _file;
    private readonly List<ScenarioError> _errors = [];
    private readonly List<Step> _steps = [];
    private string _name;
    private BackingInfo? _backing;
    private (SourceSpan At, MapKind Map)? _map;
    private BlockGeometry? _geometry;
    private InitialFill _init = InitialFill.Data;
    private int _nextIndex;
    private bool _sawBacking, _sawFile;
    private int _rejectedRaces; // a nested race is reported once; its 'end' is consumed silently
    private (Step Race, List<Step> Body, int Line)? _race;
    private (BlockSet Blocks, int Line)? _pin;
    private int? _unmappedAt;
    private readonly Dictionary<(int Block, uint Gen), int> _written = [];

    private ScenarioParser(string file, string name)
    {
        _file = file;
        _name = name;
    }

    public static (Scenario? Scenario, IReadOnlyList<ScenarioError> Errors) Parse(string text, string file, string defaultName, bool allowNameHeader = true)
    {
        var parser = new ScenarioParser(file, defaultName);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            parser.ParseLine(Tokens.Split(lines[i].TrimEnd('\r')), i + 1, allowNameHeader);
        return parser.Finish(text, lines.Length);
    }

    private void Error(int line, int column, string message) => _errors.Add(new ScenarioError(new SourceSpan(_file, line, column), message));

    private void ParseLine(List<Token> tokens, int line, bool allowNameHeader)
    {
        if (tokens.Count == 0)
            return;
        var head = tokens[0];
        switch (head.Text)
        {
            case "scenario" when allowNameHeader:
                HeaderBeforeSteps(head, line);
                if (tokens.Count != 2) Error(line, head.Column, "expected 'scenario NAME'");
                else _name = tokens[1].Text;
                return;
            case "backing":
                HeaderBeforeSteps(head, line);
                _sawBacking = true;
                if (tokens.Count != 2 || BackingTable.Find(tokens[1].Text) is not { } backing)
                    Error(line, tokens.Count > 1 ? tokens[1].Column : head.Column, $"expected 'backing NAME' with NAME one of: {string.Join(", ", BackingTable.All.Select(b => b.Name))}");
                else _backing = backing;
                return;
            case "map":
                HeaderBeforeSteps(head, line);
                if (tokens.Count != 2 || tokens[1].Text is not ("shared" or "private"))
                    Error(line, tokens.Count > 1 ? tokens[1].Column : head.Column, "expected 'map shared' or 'map private'");
                else _map = (new SourceSpan(_file, line, head.Column), tokens[1].Text == "shared" ? MapKind.Shared : MapKind.Private);
                return;
            case "file":
                HeaderBeforeSteps(head, line);
                _sawFile = true;
                ParseFileHeader(tokens, line);
                return;
            case "end":
                EndRace(head, line);
                return;
        }
        if (Verbs.Find(head.Text) is not { } verb)
        {
            Error(line, head.Column, $"unknown step '{head.Text}'; expected a header (scenario, backing, map, file) or a step: {string.Join(", ", Verbs.All.Select(v => v.Keyword))}, end");
            return;
        }
        if (_geometry is not { } geometry)
        {
            if (!_sawFile)
                Error(line, head.Column, "expected 'file size=S [block=B]' before the first step");
            return;
        }
        var args = ParseArgs(verb, tokens, line, geometry);
        if (args is null)
        {
            // A pin with a bad argument still counts as taken, so the steps after it do not all report "needs a pin".
            if (verb.Effect == Effect.Pin)
                _pin ??= (BlockSet.Range(0, geometry.BlockCount - 1), line);
            return;
        }
        var text = string.Join(' ', tokens.Select(t => t.Text));
        var step = new Step(_nextIndex++, new SourceSpan(_file, line, head.Column), verb, args, text, []);
        Validate(step, line, head.Column);
        if (verb.Effect == Effect.Race)
        {
            if (_race is { } open)
            {
                Error(line, head.Column, $"a race cannot contain a race; close the one at line {open.Line} with 'end' first");
                _rejectedRaces++;
            }
            else
                _race = (step, [], line);
            return;
        }
        if (_race is { } race)
        {
            if (!verb.AllowedInRace)
                Error(line, head.Column, $"'{verb.Keyword}' cannot run inside a race; allowed there: {string.Join(", ", Verbs.All.Where(v => v.AllowedInRace).Select(v => v.Keyword))}");
            race.Body.Add(step);
        }
        else
        {
            _steps.Add(step);
        }
    }

    private void HeaderBeforeSteps(Token head, int line)
    {
        if (_steps.Count > 0 || _race is not null)
            Error(line, head.Column, $"'{head.Text}' is a header; expected it before the first step");
    }

    private void ParseFileHeader(List<Token> tokens, int line)
    {
        long? size = null;
        long block = 4096;
        foreach (var t in tokens.Skip(1))
        {
            var (key, value) = SplitKeyValue(t.Text);
            switch (key)
            {
                case "size":
                    size = ArgValues.Size(value, out var expectedSize);
                    if (size is null) Error(line, t.Column, $"expected {expectedSize} for size");
                    break;
                case "block":
                    var b = ArgValues.Size(value, out var expectedBlock);
                    if (b is null or < 4096 || b % 4096 != 0)
                        Error(line, t.Column, $"expected block as {expectedBlock}, a multiple of the 4 KiB page");
                    else block = b.Value;
                    break;
                case "init":
                    if (value is "data" or "hole") _init = value == "data" ? InitialFill.Data : InitialFill.Hole;
                    else Error(line, t.Column, "expected init=data or init=hole");
                    break;
                default:
                    Error(line, t.Column, "expected 'file size=S [block=B] [init=data|hole]'");
                    break;
            }
        }
        if (size is null)
        {
            if (!_errors.Any(e => e.At.Line == line))
                Error(line, tokens[0].Column, "expected 'file size=S [block=B] [init=data|hole]'; size= is missing");
            return;
        }
        if (size <= 0 || size % block != 0 || size / block > 1 << 20)
        {
            Error(line, tokens[0].Column, $"expected the file size to be a positive multiple of the block size ({block}), at most 2^20 blocks");
            return;
        }
        _geometry = new BlockGeometry((int)block, size.Value);
    }

    private static (string Key, string Value) SplitKeyValue(string text)
    {
        var eq = text.IndexOf('=');
        return eq < 0 ? ("", text) : (text[..eq], text[(eq + 1)..]);
    }

    private StepArgs? ParseArgs(VerbInfo verb, List<Token> tokens, int line, BlockGeometry geometry)
    {
        var args = new StepArgs();
        var seen = new HashSet<string>();
        var positional = verb.Args.Where(a => a.Positional).ToQueue();
        var ok = true;
        foreach (var t in tokens.Skip(1))
        {
            var (key, value) = SplitKeyValue(t.Text);
            ArgSpec? spec;
            if (key.Length == 0 && !t.Text.Contains('='))
            {
                if (!positional.TryDequeue(out spec))
                {
                    Error(line, t.Column, $"unexpected '{t.Text}'; expected {Usage(verb)}");
                    ok = false;
                    continue;
                }
            }
            else
            {
                spec = verb.Args.FirstOrDefault(a => a.Key == key && !a.Positional);
                if (spec is null)
                {
                    Error(line, t.Column, $"'{verb.Keyword}' takes no '{key}='; expected {Usage(verb)}");
                    ok = false;
                    continue;
                }
            }
            if (!seen.Add(spec.Key))
            {
                Error(line, t.Column, $"'{spec.Key}' given twice");
                ok = false;
                continue;
            }
            var parsed = ParseValue(spec, value, geometry, args, out var expected);
            if (parsed is null)
            {
                Error(line, t.Column + (key.Length > 0 ? key.Length + 1 : 0), $"expected {expected} for {spec.Key}");
                ok = false;
            }
            else
            {
                args = parsed;
            }
        }
        foreach (var missing in verb.Args.Where(a => a.Required && !seen.Contains(a.Key)))
        {
            Error(line, tokens[0].Column, $"'{verb.Keyword}' needs {(missing.Positional ? missing.Key.ToUpperInvariant() : missing.Key + "=")}; expected {Usage(verb)}");
            ok = false;
        }
        return ok ? WithDefaults(verb, args, geometry) : null;
    }

    private static StepArgs? ParseValue(ArgSpec spec, string value, BlockGeometry geometry, StepArgs args, out string expected)
    {
        switch (spec.Kind)
        {
            case ArgKind.Gen:
                return ArgValues.Gen(value, out expected) is { } g ? args with { Gen = g } : null;
            case ArgKind.Blocks:
                return ArgValues.Blocks(value, geometry.BlockCount, out expected) is { } b ? args with { Blocks = b } : null;
            case ArgKind.Size:
                return ArgValues.Size(value, out expected) is { } s ? args with { Size = s } : null;
            case ArgKind.Target:
                return ArgValues.Name(value, out expected) is { } n ? args with { Target = n } : null;
            case ArgKind.Duration:
                return ArgValues.Duration(value, out expected) is { } d ? args with { For = d } : null;
            case ArgKind.Count:
                return ArgValues.Count(value, out expected) is { } c ? args with { Count = c } : null;
            case ArgKind.Mode:
                expected = $"one of: {string.Join(", ", spec.Choices!)}";
                return spec.Choices!.Contains(value) ? args with { Mode = value } : null;
            case ArgKind.PinPath:
                expected = $"a pin path, one of: {string.Join(", ", PinPathTable.All.Select(p => p.Name))}";
                return PinPathTable.Find(value) is not null ? args with { PinPath = value } : null;
            case ArgKind.Access:
                return ParseAccess(value, args, out expected);
            default:
                throw new InvalidOperationException($"no parser for {spec.Kind}");
        }
    }

    private static StepArgs? ParseAccess(string value, StepArgs args, out string expected)
    {
        var path = args.PinPath is null ? null : PinPathTable.Find(args.PinPath);
        if (path is null || path.AccessFlags.Count == 0)
        {
            expected = path is null ? "the pin path before access=" : $"no access= ({path.Name} always pins for writing)";
            return null;
        }
        expected = $"access flags joined by ',' from: {string.Join(", ", path.AccessFlags.Keys)}";
        var access = PinAccess.None;
        foreach (var name in value.Split(','))
        {
            if (!path.AccessFlags.TryGetValue(name, out var flag))
                return null;
            access |= flag;
        }
        return args with { Access = access };
    }

    private StepArgs WithDefaults(VerbInfo verb, StepArgs args, BlockGeometry geometry)
    {
        var hasBlocks = verb.Args.Any(a => a.Kind == ArgKind.Blocks);
        var pinned = verb.Effect is Effect.WriteThroughPin or Effect.CopyThroughPin ? _pin?.Blocks : null;
        return args with
        {
            Blocks = args.Blocks ?? (hasBlocks ? pinned ?? BlockSet.Range(0, geometry.BlockCount - 1) : null),
            Target = args.Target ?? (verb.Args.Any(a => a.Kind == ArgKind.Target) ? "out" : null),
            Mode = args.Mode ?? verb.Args.FirstOrDefault(a => a.Kind == ArgKind.Mode)?.Choices?[0],
            Access = args.Access ?? (args.PinPath is { } p ? PinPathTable.Find(p)!.DefaultAccess : null),
        };
    }

    private static string Usage(VerbInfo verb) =>
        "'" + string.Join(' ', verb.Args.Select(a => a.Positional ? (a.Choices is null ? a.Key.ToUpperInvariant() : string.Join('|', a.Choices)) : $"{a.Key}=…")
            .Select((s, i) => verb.Args[i].Required ? s : $"[{s}]").Prepend(verb.Keyword)) + "'";

    /// <summary>Rules that need the steps before this one: pins, unmapping, file-less backings, unique generations.</summary>
    private void Validate(Step step, int line, int column)
    {
        var backing = _backing ?? BackingTable.Ext4;
        if (step.Verb.NeedsFile && !backing.HasFile)
            Error(line, column, $"'{step.Keyword}' needs a file; backing {backing.Name} has none");
        if (_unmappedAt is { } unmapped && step.Verb.NeedsMapping)
            Error(line, column, $"'{step.Keyword}' needs the mapping, which line {unmapped} unmapped");
        switch (step.Effect)
        {
            case Effect.Pin when _pin is { } held:
                Error(line, column, $"a pin is already held (line {held.Line}); expected 'unpin' first");
                break;
            case Effect.Pin:
                _pin = (step.Blocks, line);
                break;
            case Effect.Unpin when _pin is null:
                Error(line, column, "'unpin' without a pin; expected 'pin PATH' before it");
                break;
            case Effect.Unpin:
                _pin = null;
                break;
            case Effect.WriteThroughPin or Effect.CopyThroughPin when _pin is not { } pin:
                Error(line, column, $"'{step.Keyword}' needs a pin; expected 'pin PATH' before it");
                break;
            case Effect.WriteThroughPin or Effect.CopyThroughPin when step.Blocks.Blocks.Any(b => !_pin.Value.Blocks.Contains(b)):
                Error(line, column, $"expected blocks within the pinned blocks {_pin.Value.Blocks} (line {_pin.Value.Line})");
                break;
            case Effect.Unmap:
                _unmappedAt = line;
                break;
            case Effect.Resize:
                ValidateSize(step.Args.Size!.Value, line, column);
                break;
            case Effect.Race when (step.Args.For is null) == (step.Args.Count is null):
                Error(line, column, "expected 'race for=DURATION' or 'race count=N' (one of them)");
                break;
        }
        if (step.Effect is Effect.WriteMapping or Effect.WriteThroughPin or Effect.ForkWrite)
        {
            foreach (var block in step.Blocks.Blocks)
            {
                if (_written.TryGetValue((block, step.Gen), out var earlier))
                    Error(line, column, $"generation {step.Gen} was already written to block {block} at line {earlier}; expected a new generation, so that a lost write shows");
                else
                    _written[(block, step.Gen)] = line;
            }
        }
        if (_geometry is { } g && g.FileSize % backing.PageSize != 0)
            Error(line, column, $"expected a file size that is a multiple of {PageSize(backing)} on {backing.Name}");
    }

    private void ValidateSize(long size, int line, int column)
    {
        var geometry = _geometry!.Value;
        if (size % geometry.BlockSize != 0 || size > geometry.FileSize || size < 0)
            Error(line, column, $"expected a size that is a multiple of the block size ({geometry.BlockSize}) and at most the file size ({geometry.FileSize})");
        if (_backing is { } backing && size % backing.PageSize != 0)
            Error(line, column, $"expected a size that is a multiple of {PageSize(backing)} on {backing.Name}");
    }

    private static string PageSize(BackingInfo backing) =>
        backing.PageSize % (1 << 20) == 0 ? $"{backing.PageSize >> 20}M" : $"{backing.PageSize >> 10}K";

    private void EndRace(Token head, int line)
    {
        if (_rejectedRaces > 0)
        {
            _rejectedRaces--;
            return;
        }
        if (_race is not { } race)
        {
            Error(line, head.Column, "'end' without a race; expected 'race for=…' before it");
            return;
        }
        if (race.Body.Count == 0)
            Error(line, head.Column, "expected at least one step between 'race' and 'end'");
        _steps.Add(race.Race with { Body = race.Body });
        _race = null;
    }

    private (Scenario?, IReadOnlyList<ScenarioError>) Finish(string text, int lineCount)
    {
        if (_race is { } open)
            Error(open.Line, open.Race.At.Column, "race is not closed; expected 'end'");
        if (!_sawBacking)
            Error(1, 1, $"expected a 'backing NAME' header ({string.Join(", ", BackingTable.All.Select(b => b.Name))})");
        if (!_sawFile && !_errors.Any(e => e.Message.StartsWith("expected 'file", StringComparison.Ordinal)))
            Error(1, 1, "expected a 'file size=S [block=B]' header");
        if (_steps.Count > 0 && !_steps.Any(s => s.Effect == Effect.Check))
            Error(lineCount, 1, "expected at least one 'check' step: without one nothing is judged");
        if (_steps.Count == 0 && _geometry is not null)
            Error(lineCount, 1, "expected steps after the headers");
        if (_errors.Count > 0)
            return (null, _errors.OrderBy(e => e.At.Line).ThenBy(e => e.At.Column).ToList());
        var scenario = new Scenario(_name, _file, _backing!, _map?.Map ?? MapKind.Shared, _geometry!.Value, _init, _steps, text);
        return (scenario, []);
    }
}

internal static class QueueExtensions
{
    public static Queue<T> ToQueue<T>(this IEnumerable<T> items) => new(items);
}
