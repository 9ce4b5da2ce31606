using Bridge.Core.Blocks;

namespace Bridge.Core.Scenarios;

/// <summary>
/// Parses one scenario (docs/ARCHITECTURE.md §4). Headers come first — <c>scenario NAME</c>, <c>backing NAME</c>,
/// <c>map shared|private</c>, <c>file size=S [block=B] [init=data|hole]</c> — then one step per line, with
/// <c>race for=T|count=N</c> … <c>end</c> around steps that run concurrently. Every error is collected with its
/// position and the form that was expected — after a bad header the steps are still parsed (against the largest
/// file the limits allow), so one pass reports them all; a file with any error yields no scenario at all. Every
/// number is held to <see cref="InputLimits"/> before it costs anything.
/// </summary>
internal sealed class ScenarioParser
{
    private readonly string _file;
    private SourceSpan? _nameAt;
    private readonly HashSet<string> _headersSeen = [];
    private bool _fileMissingReported, _pageSizeReported, _stepsReported, _blockStepsReported;
    private int _stepCount;
    private long _blockSteps;
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
    private int? _poweredOffAt;
    private readonly Dictionary<uint, (BlockSet All, List<(BlockSet Blocks, int Line)> Writes)> _written = [];

    private ScenarioParser(string file, string name, SourceSpan? nameAt)
    {
        _file = file;
        _name = name;
        _nameAt = nameAt;
    }

    /// <param name="lines">The text's lines as <see cref="SourceText.Lines"/> returned them.</param>
    /// <param name="nameAt">Where the default name comes from (a matrix line); null: the file's name.</param>
    public static (Scenario? Scenario, IReadOnlyList<ScenarioError> Errors, SourceSpan? NameAt) Parse(
        IReadOnlyList<string> lines, string text, string file, string defaultName, SourceSpan? nameAt, bool allowNameHeader)
    {
        var parser = new ScenarioParser(file, defaultName, nameAt);
        for (var i = 0; i < lines.Count; i++)
            parser.ParseLine(Tokens.Split(lines[i]), i + 1, allowNameHeader);
        return parser.Finish(text, Math.Max(1, lines.Count));
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
                if (tokens.Count != 2 || !ScenarioName.IsMatch(tokens[1].Text))
                    Error(line, tokens.Count > 1 ? tokens[1].Column : head.Column, $"expected 'scenario NAME', NAME {ScenarioName.Form}");
                else (_name, _nameAt) = (tokens[1].Text, new SourceSpan(_file, line, tokens[1].Column));
                return;
            case "backing":
                HeaderBeforeSteps(head, line);
                _sawBacking = true;
                if (tokens.Count != 2 || BackingTable.Find(tokens[1].Text) is not { } backing)
                    Error(line, tokens.Count > 1 ? tokens[1].Column : head.Column,
                        $"expected 'backing NAME' with NAME one of: {string.Join(", ", BackingTable.All.Select(b => b.Name))}{Hint(tokens, BackingTable.All.Select(b => b.Name))}");
                else _backing = backing;
                return;
            case "map":
                HeaderBeforeSteps(head, line);
                if (tokens.Count != 2 || tokens[1].Text is not ("shared" or "private"))
                    Error(line, tokens.Count > 1 ? tokens[1].Column : head.Column, $"expected 'map shared' or 'map private'{Hint(tokens, ["shared", "private"])}");
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
            var known = Verbs.All.Select(v => v.Keyword).Concat(["scenario", "backing", "map", "file", "end"]);
            Error(line, head.Column, $"unknown step '{Printable.Word(head.Text)}'{DidYouMean.Hint(head.Text, known)}; expected a header (scenario, backing, map, file) or a step: {string.Join(", ", Verbs.All.Select(v => v.Keyword))}, end");
            return;
        }
        if (!_sawFile && !_fileMissingReported)
        {
            // Reported once; the steps are still parsed, so their own errors show in the same pass.
            Error(line, head.Column, "expected 'file size=S [block=B]' before the first step");
            _fileMissingReported = true;
        }
        if (++_stepCount > InputLimits.Steps.Max)
        {
            // Past the limit nothing more is parsed: the work a file can cause stays bounded.
            if (!_stepsReported)
                Error(line, head.Column, $"more than {InputLimits.Steps.Max:N0} steps; expected at most that many per scenario");
            _stepsReported = true;
            return;
        }
        var blockCount = _geometry?.BlockCount ?? (int)InputLimits.Blocks.Max;
        var (args, ok) = ParseArgs(verb, tokens, line, blockCount);
        if (!ok && verb.Effect != Effect.Race)
        {
            // A pin with a bad argument still counts as taken, so the steps after it do not all report "needs a pin".
            if (verb.Effect == Effect.Pin)
                _pin ??= (BlockSet.Range(0, blockCount - 1), line);
            return;
        }
        var text = string.Join(' ', tokens.Select(t => t.Text));
        var step = new Step(_nextIndex++, new SourceSpan(_file, line, head.Column), verb, args, text, []);
        if (ok)
            Validate(step, line, head.Column);
        if (_geometry is not null)
            CountWork(step, blockCount, line, head.Column);
        if (verb.Effect == Effect.Race)
        {
            // A race line with a bad bound still opens its race, so that its body and its 'end' are judged as such.
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
                Error(line, head.Column, $"'{verb.Keyword}' cannot run inside a race{(verb.NotInRaceBecause is { } why ? $" ({why})" : "")}; allowed there: {string.Join(", ", Verbs.All.Where(v => v.AllowedInRace).Select(v => v.Keyword))}");
            race.Body.Add(step);
        }
        else
        {
            _steps.Add(step);
        }
    }

    private void HeaderBeforeSteps(Token head, int line)
    {
        if (_stepCount > 0 || _race is not null)
            Error(line, head.Column, $"'{head.Text}' is a header; expected it before the first step");
        else if (!_headersSeen.Add(head.Text))
            Error(line, head.Column, $"a second '{head.Text}' header; expected one");
    }

    private static string Hint(List<Token> tokens, IEnumerable<string> known) => tokens.Count == 2 ? DidYouMean.Hint(tokens[1].Text, known) : "";

    /// <summary>Work grows as steps × blocks: each step costs the blocks it names (a check, every block), and a
    /// race bounded by a count costs that many times its steps.</summary>
    private void CountWork(Step step, int blockCount, int line, int column)
    {
        _blockSteps += step.Effect == Effect.Check ? blockCount : Math.Max(1, step.Args.Blocks?.Count ?? 1);
        if (_blockSteps > InputLimits.BlockSteps.Max && !_blockStepsReported)
        {
            Error(line, column, $"the steps up to here name {_blockSteps:N0} blocks in all; expected at most {InputLimits.BlockSteps.Max:N0} block-steps per scenario (fewer steps, fewer or larger blocks)");
            _blockStepsReported = true;
        }
    }

    private void ParseFileHeader(List<Token> tokens, int line)
    {
        long? size = null;
        long block = 4096;
        var ok = true;
        var seen = new HashSet<string>();
        foreach (var t in tokens.Skip(1))
        {
            var (key, value) = SplitKeyValue(t.Text);
            var valueColumn = t.Column + key.Length + 1;
            if (key.Length > 0 && !seen.Add(key))
            {
                Error(line, t.Column, $"'{Printable.Word(key)}' given twice");
                ok = false;
                continue;
            }
            switch (key)
            {
                case "size":
                    size = ArgValues.Size(value, out var expectedSize);
                    if (size is null or <= 0 || size > InputLimits.DataFileSize.Max)
                    {
                        Error(line, valueColumn, $"expected {expectedSize} for size, from 4K to {InputLimits.DataFileSize.Max >> 30}G");
                        (size, ok) = (null, false);
                    }
                    break;
                case "block":
                    var b = ArgValues.Size(value, out var expectedBlock);
                    if (b is null or < 4096 || b % 4096 != 0 || b > InputLimits.BlockSize.Max)
                    {
                        Error(line, valueColumn, $"expected block as {expectedBlock}, a multiple of the 4 KiB page, at most {InputLimits.BlockSize.Max >> 20}M");
                        ok = false;
                    }
                    else block = b.Value;
                    break;
                case "init":
                    if (value is "data" or "hole") _init = value == "data" ? InitialFill.Data : InitialFill.Hole;
                    else
                    {
                        Error(line, valueColumn, $"expected init=data or init=hole{DidYouMean.Hint(value, ["data", "hole"])}");
                        ok = false;
                    }
                    break;
                default:
                    Error(line, t.Column, $"unexpected '{Printable.Word(t.Text)}'{DidYouMean.Hint(key, ["size", "block", "init"])}; expected 'file size=S [block=B] [init=data|hole]'");
                    ok = false;
                    break;
            }
        }
        if (size is null)
        {
            if (ok)
                Error(line, tokens[0].Column, "expected 'file size=S [block=B] [init=data|hole]'; size= is missing");
            return;
        }
        if (size % block != 0 || size / block > InputLimits.Blocks.Max)
        {
            Error(line, tokens[0].Column, $"expected the file size to be a positive multiple of the block size ({block}), at most {InputLimits.Blocks.Max:N0} blocks");
            return;
        }
        if (ok)
            _geometry = new BlockGeometry((int)block, size.Value);
    }

    private static (string Key, string Value) SplitKeyValue(string text)
    {
        var eq = text.IndexOf('=');
        return eq < 0 ? ("", text) : (text[..eq], text[(eq + 1)..]);
    }

    private (StepArgs Args, bool Ok) ParseArgs(VerbInfo verb, List<Token> tokens, int line, int blockCount)
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
                    Error(line, t.Column, $"unexpected '{Printable.Word(t.Text)}'; expected {Usage(verb)}");
                    ok = false;
                    continue;
                }
            }
            else
            {
                spec = verb.Args.FirstOrDefault(a => a.Key == key && !a.Positional);
                if (spec is null)
                {
                    var hint = DidYouMean.Hint(key, verb.Args.Where(a => !a.Positional).Select(a => a.Key));
                    Error(line, t.Column, $"'{verb.Keyword}' takes no '{Printable.Word(key)}='{hint}; expected {Usage(verb)}");
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
            var parsed = ParseValue(spec, value, blockCount, args, out var expected);
            if (parsed is null)
            {
                Error(line, t.Column + (key.Length > 0 ? key.Length + 1 : 0), $"expected {expected} for {spec.Key}{DidYouMean.Hint(value, spec.Choices ?? [])}");
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
        return (WithDefaults(verb, args, blockCount), ok);
    }

    private static StepArgs? ParseValue(ArgSpec spec, string value, int blockCount, StepArgs args, out string expected)
    {
        switch (spec.Kind)
        {
            case ArgKind.Gen:
                return ArgValues.Gen(value, out expected) is { } g ? args with { Gen = g } : null;
            case ArgKind.Blocks:
                return ArgValues.Blocks(value, blockCount, out expected) is { } b ? args with { Blocks = b } : null;
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
                expected = $"a pin path, one of: {string.Join(", ", PinPathTable.All.Select(p => p.Name))}{DidYouMean.Hint(value, PinPathTable.All.Select(p => p.Name))}";
                return PinPathTable.Find(value) is not null ? args with { PinPath = value } : null;
            case ArgKind.Access:
                return ParseAccess(value, args, out expected);
            default:
                throw new InvalidOperationException($"no parser for {spec.Kind}"); // a row added to the verb table without one
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

    private StepArgs WithDefaults(VerbInfo verb, StepArgs args, int blockCount)
    {
        var hasBlocks = verb.Args.Any(a => a.Kind == ArgKind.Blocks);
        var pinned = verb.Effect is Effect.WriteThroughPin or Effect.CopyThroughPin ? _pin?.Blocks : null;
        return args with
        {
            Blocks = args.Blocks ?? (hasBlocks ? pinned ?? BlockSet.Range(0, blockCount - 1) : null),
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
        if (step.Verb.CutsPower && !backing.HasStorage)
            Error(line, column, $"'{step.Keyword}' needs a backing with storage ({string.Join(", ", BackingTable.All.Where(b => b.HasStorage).Select(b => b.Name))}); on {backing.Name} nothing survives a power cut");
        if (_poweredOffAt is { } cut && (step.Verb.NeedsMapping || step.Verb.NeedsPin))
        {
            // Reported alone: the mapping and the pin are gone, so the pin rules below would only echo it.
            Error(line, column, $"'{step.Keyword}' needs the {(step.Verb.NeedsMapping ? "mapping" : "pin")}, which did not survive the power cut at line {cut}; expected only steps on the file after 'crash'");
            return;
        }
        if (step.Verb.CutsPower)
            _poweredOffAt = line;
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
            case Effect.WriteThroughPin or Effect.CopyThroughPin when _geometry is not null && !_pin.Value.Blocks.Covers(step.Blocks):
                Error(line, column, $"expected blocks within the pinned blocks {_pin.Value.Blocks} (line {_pin.Value.Line})");
                break;
            case Effect.Unmap:
                _unmappedAt = line;
                break;
            case Effect.ShiftBlocks when step.Blocks.Runs().Count() != 1:
                Error(line, column, $"expected one range of blocks (A-B) for '{step.Keyword}': {step.Verb.Shift!.Call} takes one offset and length");
                break;
            case Effect.Resize when _geometry is not null:
                ValidateSize(step.Args.Size!.Value, line, column);
                break;
            case Effect.Race when (step.Args.For is null) == (step.Args.Count is null):
                Error(line, column, "expected 'race for=DURATION' or 'race count=N' (one of them)");
                break;
        }
        // Checked run against run (never block by block), against a known file only: the union of a generation's
        // writes first, the write that shares a block only when there is one.
        if (step.Effect is Effect.WriteMapping or Effect.WriteThroughPin or Effect.ForkWrite && _geometry is not null)
        {
            var (all, writes) = _written.TryGetValue(step.Gen, out var w) ? w : (BlockSet.Range(0, -1), []);
            if (all.FirstShared(step.Blocks) is { } shared)
            {
                var at = writes.First(x => x.Blocks.Contains(shared)).Line;
                Error(line, column, $"generation {step.Gen} was already written to block {shared} at line {at}; expected a new generation, so that a lost write shows");
            }
            writes.Add((step.Blocks, line));
            _written[step.Gen] = (all.Union(step.Blocks), writes);
        }
        if (_geometry is { } g && g.FileSize % backing.PageSize != 0 && !_pageSizeReported)
        {
            Error(line, column, $"expected a file size that is a multiple of {PageSize(backing)} on {backing.Name}");
            _pageSizeReported = true;
        }
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
        var work = (long)(race.Race.Args.Count ?? 0) * race.Body.Sum(s => (long)(s.Args.Blocks?.Count ?? 1));
        if (work > InputLimits.RaceWork.Max)
            Error(race.Line, race.Race.At.Column, $"a race of count={race.Race.Args.Count} over {work / race.Race.Args.Count!.Value:N0} blocks writes {work:N0} blocks; expected at most {InputLimits.RaceWork.Max:N0} (a smaller count, or for=DURATION)");
        _steps.Add(race.Race with { Body = race.Body });
        _race = null;
    }

    private (Scenario?, IReadOnlyList<ScenarioError>, SourceSpan?) Finish(string text, int lineCount)
    {
        if (_race is { } open)
            Error(open.Line, open.Race.At.Column, "race is not closed; expected 'end'");
        if (!_sawBacking)
            Error(1, 1, $"expected a 'backing NAME' header ({string.Join(", ", BackingTable.All.Select(b => b.Name))})");
        if (!_sawFile && !_fileMissingReported)
            Error(1, 1, "expected a 'file size=S [block=B]' header");
        if (_steps.Count > 0 && !_steps.Any(s => s.Effect == Effect.Check))
            Error(lineCount, 1, "expected at least one 'check' step: without one nothing is judged");
        if (_steps.Count == 0 && _geometry is not null)
            Error(lineCount, 1, "expected steps after the headers");
        if (_errors.Count > 0)
            return (null, _errors.OrderBy(e => e.At.Line).ThenBy(e => e.At.Column).ToList(), _nameAt);
        var scenario = new Scenario(_name, _file, _backing!, _map?.Map ?? MapKind.Shared, _geometry!.Value, _init, _steps, text);
        return (scenario, [], _nameAt);
    }
}

internal static class QueueExtensions
{
    public static Queue<T> ToQueue<T>(this IEnumerable<T> items) => new(items);
}
