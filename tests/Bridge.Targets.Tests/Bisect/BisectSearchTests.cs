using Bridge.Targets.Bisect;
using CsCheck;

namespace Bridge.Targets.Tests.Bisect;

/// <summary>
/// The pure search (<see cref="BisectSearch"/>) against a table of versions whose verdicts follow from a rule — the
/// change is introduced at one version; some versions cannot be tested — and against a brute-force scan of the same
/// table: the first testable version whose verdict differs from the oldest testable one.
/// </summary>
public sealed class BisectSearchTests
{
    /// <summary>A history of <paramref name="count"/> versions: the verdict changes from "intact" to "io-error" at
    /// <paramref name="change"/> (== count: never), and <paramref name="untestable"/> cannot be tested.</summary>
    private sealed record History(int Count, int Change, IReadOnlySet<int> Untestable)
    {
        public ProbeResult Test(int i) => Untestable.Contains(i)
            ? ProbeResult.CannotTest($"version {i} did not boot")
            : ProbeResult.Verdict(i >= Change ? "io-error" : "intact");

        /// <summary>What a scan of every version says the search must conclude over [low, high].</summary>
        public (ConclusionKind Kind, int? LastOld, int? FirstNew) Scan(int low, int high)
        {
            var testable = Enumerable.Range(low, high - low + 1).Where(i => !Untestable.Contains(i)).ToList();
            if (testable.Count == 0)
                return (ConclusionKind.CannotTest, null, null);
            var first = Test(testable[0]).Key;
            var firstNew = testable.FirstOrDefault(i => Test(i).Key != first, -1);
            if (firstNew < 0)
                return (ConclusionKind.NoChange, testable[0], testable[^1]);
            return (ConclusionKind.Changed, testable.Last(i => i < firstNew), firstNew);
        }
    }

    /// <summary>Runs the search to its end against <paramref name="test"/>; returns the conclusion and the versions
    /// tested, in order.</summary>
    private static (BisectConclusion Conclusion, List<int> Tested) Run(BisectSearch search, Func<int, ProbeResult> test)
    {
        var tested = new List<int>();
        while (true)
        {
            switch (search.Next())
            {
                case BisectStep.Done done:
                    return (done.Conclusion, tested);
                case BisectStep.Test next:
                    Assert.DoesNotContain(next.Index, tested);
                    tested.Add(next.Index);
                    search.Record(next.Index, test(next.Index));
                    break;
            }
        }
    }

    private static readonly Gen<History> Histories =
        from count in Gen.Int[1, 40]
        from change in Gen.Int[0, count]
        from untestable in Gen.Int[0, count - 1].HashSet[0, count]
        select new History(count, change, untestable);

    [Fact]
    public void HalvingFindsWhatAScanOfEveryVersionFindsAndTestsFewVersions()
    {
        Histories.Sample(h =>
        {
            var (conclusion, tested) = Run(new BisectSearch(h.Count, 0, h.Count - 1), h.Test);
            var (kind, lastOld, firstNew) = h.Scan(0, h.Count - 1);
            Assert.Equal(kind, conclusion.Kind);
            if (kind != ConclusionKind.CannotTest)
                Assert.Equal((lastOld, firstNew), (conclusion.LastOld, conclusion.FirstNew));
            if (kind == ConclusionKind.Changed)
                Assert.Equal(Enumerable.Range(lastOld!.Value + 1, firstNew!.Value - lastOld.Value - 1), conclusion.Between);
            // log2 of the range for the halving, plus the two ends, plus every untestable version at worst.
            Assert.True(tested.Count <= Math.Ceiling(Math.Log2(h.Count)) + 2 + h.Untestable.Count, $"{tested.Count} tests of {h}");
        }, iter: 2000);
    }

    [Fact]
    public void EveryVersionModeTestsTheWholeRangeAndFindsTheSameChange()
    {
        Histories.Sample(h =>
        {
            var (conclusion, tested) = Run(new BisectSearch(h.Count, 0, h.Count - 1, every: true), h.Test);
            var (kind, lastOld, firstNew) = h.Scan(0, h.Count - 1);
            Assert.Equal(kind, conclusion.Kind);
            if (kind != ConclusionKind.CannotTest)
            {
                Assert.Equal((lastOld, firstNew), (conclusion.LastOld, conclusion.FirstNew));
                Assert.Equal(Enumerable.Range(0, h.Count), tested.Order());
            }
        }, iter: 500);
    }

    [Fact]
    public void TheEndsAreTestedFirstOldestThenNewest()
    {
        var h = new History(9, 5, new HashSet<int>());
        var (conclusion, tested) = Run(new BisectSearch(9, 0, 8), h.Test);
        Assert.Equal([0, 8], tested.Take(2));
        Assert.Equal((4, 5), (conclusion.LastOld, conclusion.FirstNew));
        Assert.Empty(conclusion.Between);
    }

    [Fact]
    public void EndsWithTheSameVerdictAreNoChangeAfterTwoBoots()
    {
        var h = new History(7, 7, new HashSet<int>());
        var (conclusion, tested) = Run(new BisectSearch(7, 0, 6), h.Test);
        Assert.Equal(ConclusionKind.NoChange, conclusion.Kind);
        Assert.Equal([0, 6], tested);
        Assert.Equal((0, 6), (conclusion.LastOld, conclusion.FirstNew));
    }

    [Fact]
    public void AnUntestableMidpointIsSkippedForItsNearestNeighbour()
    {
        // 0 1 2 3 4 [5] 6 7 8 9 10: the change at 7; the first midpoint (5) does not boot.
        var h = new History(11, 7, new HashSet<int> { 5 });
        var (conclusion, tested) = Run(new BisectSearch(11, 0, 10), h.Test);
        Assert.Equal([0, 10, 5], tested.Take(3));
        Assert.Contains(tested[3], new[] { 4, 6 });
        Assert.Equal((ConclusionKind.Changed, 6, 7), (conclusion.Kind, conclusion.LastOld, conclusion.FirstNew));
    }

    [Fact]
    public void AChangeNextToUntestableVersionsNamesThemAndCannotBeDecided()
    {
        var h = new History(6, 3, new HashSet<int> { 2, 3 });
        var (conclusion, _) = Run(new BisectSearch(6, 0, 5), h.Test);
        Assert.Equal((ConclusionKind.Changed, 1, 4), (conclusion.Kind, conclusion.LastOld, conclusion.FirstNew));
        Assert.Equal([2, 3], conclusion.Between);
        var outcome = new BisectOutcome(new BisectPlan([], 0, 5, false, false, false), [], conclusion, TimeSpan.Zero);
        Assert.Equal(BisectOutcome.CannotDecide, outcome.ExitCode);
    }

    [Fact]
    public void UnnamedEndsMoveInwardPastUntestableVersions()
    {
        var h = new History(8, 4, new HashSet<int> { 0, 1, 7 });
        var (conclusion, tested) = Run(new BisectSearch(8, 0, 7), h.Test);
        Assert.Equal([0, 1, 2, 7, 6], tested.Take(5));
        Assert.Equal((ConclusionKind.Changed, 3, 4), (conclusion.Kind, conclusion.LastOld, conclusion.FirstNew));
    }

    [Theory]
    [InlineData(true, false, "the old end cannot be tested")]
    [InlineData(false, true, "the new end cannot be tested")]
    public void ANamedEndThatCannotBeTestedEndsTheSearch(bool lowNamed, bool highNamed, string reason)
    {
        var h = new History(8, 4, new HashSet<int> { 1, 6 });
        var (conclusion, tested) = Run(new BisectSearch(8, 1, 6, lowNamed, highNamed), h.Test);
        Assert.Equal(ConclusionKind.CannotTest, conclusion.Kind);
        Assert.StartsWith(reason, conclusion.Reason, StringComparison.Ordinal);
        Assert.True(tested.Count <= 3);
    }

    [Fact]
    public void ARangeWhereNothingCanBeTestedIsCannotTestAfterTryingEveryVersionOnce()
    {
        var h = new History(5, 2, new HashSet<int> { 0, 1, 2, 3, 4 });
        var (conclusion, tested) = Run(new BisectSearch(5, 0, 4), h.Test);
        Assert.Equal(ConclusionKind.CannotTest, conclusion.Kind);
        Assert.Equal([0, 1, 2, 3, 4], tested);
        Assert.Equal(BisectOutcome.CannotDecide, new BisectOutcome(new BisectPlan([], 0, 4, false, false, false), [], conclusion, TimeSpan.Zero).ExitCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void AOneVersionRangeIsNoChangeAfterOneBoot(int change)
    {
        var h = new History(3, change, new HashSet<int>());
        var (conclusion, tested) = Run(new BisectSearch(3, 1, 1), h.Test);
        Assert.Equal([1], tested);
        Assert.Equal((ConclusionKind.NoChange, 1, 1), (conclusion.Kind, conclusion.LastOld, conclusion.FirstNew));
    }

    [Fact]
    public void EveryVersionModeReportsAFindingThatCameAndWent()
    {
        // intact, intact, io-error, io-error, intact: the ends agree, so halving sees no change; --every sees two.
        ProbeResult Test(int i) => ProbeResult.Verdict(i is 2 or 3 ? "io-error" : "intact");
        var halving = Run(new BisectSearch(5, 0, 4), Test).Conclusion;
        Assert.Equal(ConclusionKind.NoChange, halving.Kind);
        var every = Run(new BisectSearch(5, 0, 4, every: true), Test).Conclusion;
        Assert.Equal(ConclusionKind.Changed, every.Kind);
        Assert.Equal([(1, 2), (3, 4)], every.Changes);
        Assert.Equal((1, 2), (every.LastOld, every.FirstNew));
    }

    [Fact]
    public void RecordingOutsideTheRangeOrTwiceIsAnError()
    {
        var search = new BisectSearch(4, 1, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => search.Record(0, ProbeResult.Verdict("intact")));
        search.Record(1, ProbeResult.Verdict("intact"));
        Assert.Throws<InvalidOperationException>(() => search.Record(1, ProbeResult.Verdict("intact")));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BisectSearch(4, 3, 2));
    }

    /// <summary>Stopped after any number of tests, the search names a range that still holds the change a scan of
    /// every version finds, and lists exactly the versions in it not yet tested.</summary>
    [Fact]
    public void AnInterruptedSearchNamesTheOpenRangeThatHoldsTheChangeAndWhatIsUntestedThere()
    {
        var cases = from h in Histories from every in Gen.Bool from stopAfter in Gen.Int[0, 40] select (h, every, stopAfter);
        cases.Sample(c =>
        {
            var (h, every, stopAfter) = c;
            var search = new BisectSearch(h.Count, 0, h.Count - 1, every: every);
            var tested = new List<int>();
            while (tested.Count < stopAfter && search.Next() is BisectStep.Test next)
            {
                tested.Add(next.Index);
                search.Record(next.Index, h.Test(next.Index));
            }
            var stopped = search.Interrupted("stopped");
            Assert.Equal(ConclusionKind.Interrupted, stopped.Kind);
            var (from, to) = (stopped.LastOld ?? -1, stopped.FirstNew ?? h.Count);
            Assert.Equal(Enumerable.Range(from + 1, to - from - 1).Where(i => !tested.Contains(i)), stopped.Between);
            if (h.Scan(0, h.Count - 1) is (ConclusionKind.Changed, { } lastOld, { } firstNew))
                Assert.True(from <= lastOld && firstNew <= to, $"the change {lastOld}→{firstNew} is outside the open range ({from}, {to})");
        });
    }
}
