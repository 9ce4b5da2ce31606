using Bridge.Core.Execution;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

public class VerbTableTests
{
    private static IEnumerable<(VerbInfo, string)> Handlers(IEnumerable<VerbInfo> verbs) => verbs.Select(v => (v, v.Keyword));

    [Fact]
    public void A_table_with_one_handler_per_executed_verb_is_complete()
    {
        var table = new VerbTable<string>("test", Handlers(Verbs.Executed));
        Assert.All(Verbs.Executed, v => Assert.Equal(v.Keyword, table[v]));
        Assert.Empty(VerbTable<string>.Missing(table.Verbs));
    }

    [Fact]
    public void A_missing_verb_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => new VerbTable<string>("test", Handlers(Verbs.Executed.Where(v => v != Verbs.Fork))));
        Assert.Equal("test: no handler for 'fork'", e.Message);
        Assert.Equal([Verbs.Fork], VerbTable<string>.Missing(Verbs.Executed.Where(v => v != Verbs.Fork)));
    }

    [Fact]
    public void Two_handlers_for_a_verb_or_one_for_a_sequenced_verb_are_errors()
    {
        Assert.Contains("two handlers for 'store'",
            Assert.Throws<ArgumentException>(() => new VerbTable<string>("test", Handlers(Verbs.Executed.Append(Verbs.Store)))).Message);
        Assert.Contains("'check' is driven by the sequencer",
            Assert.Throws<ArgumentException>(() => new VerbTable<string>("test", Handlers(Verbs.Executed.Append(Verbs.Check)))).Message);
    }

    [Fact]
    public void Every_verb_is_either_executed_or_sequenced()
    {
        Assert.Equal(Verbs.All.Where(v => v.Effect is Effect.Check or Effect.Race), Verbs.All.Where(v => v.IsSequenced));
        Assert.Equal(Verbs.All.Count, Verbs.Executed.Count() + Verbs.All.Count(v => v.IsSequenced));
    }
}
