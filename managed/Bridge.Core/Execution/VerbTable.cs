using Bridge.Core.Scenarios;

namespace Bridge.Core.Execution;

/// <summary>
/// An executor's handlers, one per verb, keyed by the verb's row in <see cref="Verbs"/> (never by its keyword).
/// Building the table checks the contract: every verb an executor runs (<see cref="Verbs.Executed"/>) has exactly
/// one handler, and no handler is given for a verb the sequencer drives (check, race).
/// </summary>
public sealed class VerbTable<THandler>
{
    private readonly Dictionary<VerbInfo, THandler> _handlers = new(ReferenceEqualityComparer.Instance);

    /// <param name="executor">Who implements the handlers, for the error message.</param>
    public VerbTable(string executor, IEnumerable<(VerbInfo Verb, THandler Handler)> handlers)
    {
        foreach (var (verb, handler) in handlers)
        {
            if (verb.IsSequenced)
                throw new ArgumentException($"{executor}: '{verb.Keyword}' is driven by the sequencer and takes no handler");
            if (!_handlers.TryAdd(verb, handler))
                throw new ArgumentException($"{executor}: two handlers for '{verb.Keyword}'");
        }
        var missing = Missing(_handlers.Keys).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"{executor}: no handler for {string.Join(", ", missing.Select(v => $"'{v.Keyword}'"))}");
    }

    /// <summary>The verbs that have a handler.</summary>
    public IEnumerable<VerbInfo> Verbs => _handlers.Keys;

    public THandler this[VerbInfo verb] => _handlers.TryGetValue(verb, out var handler)
        ? handler
        : throw new ArgumentException($"'{verb.Keyword}' is not a verb of the table in Verbs.All");

    /// <summary>The verbs an executor must handle that <paramref name="handled"/> lacks.</summary>
    public static IEnumerable<VerbInfo> Missing(IEnumerable<VerbInfo> handled)
    {
        var set = handled.ToHashSet(ReferenceEqualityComparer.Instance);
        return Scenarios.Verbs.Executed.Where(v => !set.Contains(v));
    }
}
