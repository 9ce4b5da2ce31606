using Bridge.Targets.Container;

namespace Bridge.Targets.Tests.Container;

[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "docker engine and test image";
}

/// <summary>
/// One engine and one test image for the whole collection: the private dockerd starts in about a second, but the
/// image takes a debootstrap (about a minute) the first time on a machine and an import (seconds) after an engine
/// data-root wipe. A private engine this fixture started is stopped at the end, and that is checked.
/// </summary>
public sealed class EngineFixture : IAsyncLifetime
{
    private string? _unavailable;
    private Exception? _failure;
    private DockerEngine? _engine;
    private ImageBuildResult? _image;

    public ImageRecipe Recipe { get; } = ImageRecipe.FromRepository(HostFacts.RepositoryRoot());
    public List<string> Log { get; } = [];

    public async ValueTask InitializeAsync()
    {
        try
        {
            _engine = await DockerEngine.EngineUpAsync(new EngineUpOptions { Log = Log.Add });
        }
        catch (EngineUnavailableException e)
        {
            _unavailable = "no Docker engine: " + e.Message;
            return;
        }
        try
        {
            _image = await new ImageBuilder(_engine).EnsureAsync(Recipe, Log.Add);
        }
        catch (ContainerException e) when (!HostFacts.OnPath("debootstrap"))
        {
            _unavailable = $"the test image {Recipe.Reference} is missing and debootstrap is not installed to build it ({e.Message})";
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }

    /// <summary>The engine and image, or a skip (no engine here) or the build's failure (a real error).</summary>
    public (DockerEngine Engine, ImageBuildResult Image) Require()
    {
        if (_unavailable is not null)
            Assert.Skip(_unavailable);
        if (_failure is not null)
            throw new InvalidOperationException("building the test image failed: " + _failure.Message, _failure);
        return (_engine!, _image!);
    }

    public async ValueTask DisposeAsync()
    {
        if (_engine is null)
            return;
        var startedHere = _engine.StartedByThisCall;
        _engine.Dispose();
        if (!startedHere)
            return;
        var down = await PrivateDockerd.StopAsync();
        var survivor = PrivateDockerd.RunningPid(PrivateEngineLayout.Default)
            ?? (down.DockerdPid is { } stopped && HostFacts.ProcessAlive(stopped) ? stopped : null);
        if (survivor is not null)
            throw new InvalidOperationException($"the private dockerd this fixture started still runs after EngineDownAsync (pid {survivor})");
    }
}
