namespace Bridge.Cli.Tests;

/// <summary>A Docker engine for the container target for the length of a test: the one already answering, or the
/// private dockerd started here (`pinbridge engine up`) and stopped again at the end. Skips the test where no engine can
/// run.</summary>
internal sealed class EngineScope : IDisposable
{
    private readonly bool _started;

    private EngineScope(bool started) => _started = started;

    public static EngineScope Up()
    {
        if (BridgeProcess.Run("engine", "status").ExitCode == 0)
            return new EngineScope(started: false);
        var (up, _, upErr) = BridgeProcess.Run("engine", "up");
        Assert.SkipWhen(up != 0, $"no Docker engine here: {upErr.Trim()}");
        return new EngineScope(started: true);
    }

    public void Dispose()
    {
        if (_started)
            BridgeProcess.Run("engine", "down");
    }
}
