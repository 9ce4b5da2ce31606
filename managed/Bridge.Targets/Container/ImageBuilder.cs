using Bridge.Linux.Host;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Bridge.Targets.Container;

/// <summary>What <see cref="ImageBuilder.EnsureAsync"/> did.</summary>
/// <param name="Reference">bridge-test:TAG.</param>
/// <param name="ImageId">sha256:… of the image on the engine.</param>
/// <param name="Imported">The image was missing and was imported now.</param>
/// <param name="RootfsBuilt">The rootfs tarball was missing from the cache and debootstrap ran.</param>
/// <param name="SizeBytes">The image's size as the engine reports it.</param>
/// <param name="Duration">Wall time of the whole call.</param>
public sealed record ImageBuildResult(string Reference, string ImageId, bool Imported, bool RootfsBuilt, long SizeBytes, TimeSpan Duration);

/// <summary>
/// Makes sure the engine has the recipe's image: if the hashed tag is missing, builds the rootfs tarball with the
/// recipe's script (debootstrap, no registry) unless the cache already holds it, and imports it through the Engine
/// API (ImageCreate with fromSrc=-, i.e. <c>docker import</c>).
/// </summary>
public sealed class ImageBuilder
{
    /// <summary>Rootfs tarballs by recipe hash; /var/cache because it survives reboots and engine data-root wipes
    /// (re-importing takes seconds, debootstrap most of a minute). BRIDGE_IMAGE_CACHE overrides it.</summary>
    public static string DefaultCacheDirectory =>
        Environment.GetEnvironmentVariable("BRIDGE_IMAGE_CACHE") is { Length: > 0 } dir ? dir : "/var/cache/bridge/images";

    private readonly DockerEngine _engine;
    private readonly string _cacheDirectory;

    public ImageBuilder(DockerEngine engine, string? cacheDirectory = null)
    {
        _engine = engine;
        _cacheDirectory = Path.GetFullPath(cacheDirectory ?? DefaultCacheDirectory);
    }

    public string RootfsTarball(ImageRecipe recipe) => Path.Combine(_cacheDirectory, $"{ImageRecipe.Repository}-{recipe.Hash}.tar");

    /// <exception cref="ContainerException">The build script or the import failed; the message carries its output tail.</exception>
    public async Task<ImageBuildResult> EnsureAsync(ImageRecipe recipe, Action<string>? log = null, CancellationToken ct = default)
    {
        var started = DateTime.UtcNow;
        if (await InspectAsync(recipe.Reference, ct) is { } present)
            return new ImageBuildResult(recipe.Reference, present.ID, false, false, present.Size, DateTime.UtcNow - started);

        // One builder per recipe at a time: a second process waits and then finds the image imported.
        using var held = await FileLock.AcquireAsync(Path.Combine(_cacheDirectory, $"{recipe.Hash}.lock"), TimeSpan.FromMinutes(15), ct);
        if (await InspectAsync(recipe.Reference, ct) is { } raced)
            return new ImageBuildResult(recipe.Reference, raced.ID, false, false, raced.Size, DateTime.UtcNow - started);

        var tarball = RootfsTarball(recipe);
        var built = false;
        if (!File.Exists(tarball))
        {
            log?.Invoke($"building rootfs for {recipe.Reference} with {recipe.BuildScript} (debootstrap; about a minute)");
            var outcome = await Tool.RunAsync("/bin/bash", [recipe.BuildScript, tarball, recipe.Hash], ct,
                line => { if (!IsPerPackageChatter(line)) log?.Invoke(line); });
            if (!outcome.Succeeded || !File.Exists(tarball))
                throw new ContainerException($"{recipe.BuildScript} exited {outcome.ExitCode} without writing {tarball}:\n{string.Join('\n', outcome.Tail)}");
            built = true;
        }

        log?.Invoke($"importing {tarball} as {recipe.Reference}");
        try
        {
            await ImportAsync(recipe, tarball, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A tarball the engine cannot import is not worth keeping: the next run rebuilds it.
            File.Delete(tarball);
            throw new ContainerException($"importing {tarball} as {recipe.Reference} into {_engine} failed (tarball deleted; the next run rebuilds it): {e.Message}", e);
        }
        var image = await InspectAsync(recipe.Reference, ct)
            ?? throw new ContainerException($"{_engine} accepted the import of {tarball} but has no image {recipe.Reference} afterwards");
        return new ImageBuildResult(recipe.Reference, image.ID, true, built, image.Size, DateTime.UtcNow - started);
    }

    /// <summary>debootstrap prints five lines per package (~900 in all); the failure tail keeps them, the live log
    /// does not.</summary>
    private static bool IsPerPackageChatter(string line) =>
        line.StartsWith("I: ", StringComparison.Ordinal) &&
        (line.AsSpan(3).StartsWith("Retrieving ") || line.AsSpan(3).StartsWith("Validating ") || line.AsSpan(3).StartsWith("Extracting ") ||
         line.AsSpan(3).StartsWith("Unpacking ") || line.AsSpan(3).StartsWith("Configuring "));

    private async Task ImportAsync(ImageRecipe recipe, string tarball, CancellationToken ct)
    {
        var parameters = new ImagesCreateParameters
        {
            FromSrc = "-",
            Repo = ImageRecipe.Repository,
            Tag = recipe.Tag,
            Message = $"Bridge test image, recipe {recipe.Hash}",
            // Defaults for `docker run IMAGE` by hand; Bridge itself always passes Cmd, Env and WorkingDir.
            Changes =
            [
                $"LABEL org.bridge.recipe={recipe.Hash}",
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "CMD [\"/bin/bash\"]",
            ],
        };
        var errors = new ImportErrors();
        await using var stream = File.OpenRead(tarball);
        await _engine.Client.Images.CreateImageAsync(parameters, stream, null, errors, ct);
        if (errors.First is { } error)
            throw new ContainerException(error);
    }

    private async Task<ImageInspectResponse?> InspectAsync(string reference, CancellationToken ct)
    {
        try
        {
            return await _engine.Client.Images.InspectImageAsync(reference, ct);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The import answers with a JSON message stream; a failure can arrive there with HTTP 200.
    /// Collected synchronously (not Progress&lt;T&gt;, which posts later) so it is seen before the call returns.</summary>
    private sealed class ImportErrors : IProgress<JSONMessage>
    {
        public string? First { get; private set; }

        public void Report(JSONMessage value)
        {
            if (First is null && (value.Error?.Message ?? value.ErrorMessage) is { Length: > 0 } message)
                First = message;
        }
    }
}
