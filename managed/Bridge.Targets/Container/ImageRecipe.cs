using System.Security.Cryptography;
using System.Text;

namespace Bridge.Targets.Container;

/// <summary>
/// The test image's recipe (containers/image/): the rootfs build script and the package list. Its content hash is
/// the image tag, so an image is rebuilt exactly when the recipe changes and never pulled from a registry.
/// </summary>
public sealed record ImageRecipe
{
    public const string Repository = "bridge-test";
    public const string BuildScriptName = "build-rootfs.sh";
    public const string PackageListName = "image-packages.txt";
    /// <summary>Files whose bytes define the image. The mirror (BRIDGE_DEBIAN_MIRROR) is not among them: any mirror
    /// of the suite gives the same image.</summary>
    public static IReadOnlyList<string> Inputs { get; } = [BuildScriptName, PackageListName];

    private ImageRecipe(string directory, string hash)
    {
        Directory = directory;
        Hash = hash;
    }

    /// <summary>The recipe directory (absolute).</summary>
    public string Directory { get; }
    /// <summary>SHA-256 of the inputs, lowercase hex.</summary>
    public string Hash { get; }
    /// <summary>The first 12 hex digits of <see cref="Hash"/>, as image ids are shortened.</summary>
    public string Tag => Hash[..12];
    /// <summary>e.g. bridge-test:0123456789ab.</summary>
    public string Reference => $"{Repository}:{Tag}";
    public string BuildScript => Path.Combine(Directory, BuildScriptName);

    /// <summary>The recipe at &lt;repo&gt;/containers/image.</summary>
    public static ImageRecipe FromRepository(string repositoryRoot) => Load(Path.Combine(repositoryRoot, "containers", "image"));

    /// <exception cref="ContainerException">The directory or one of <see cref="Inputs"/> is missing.</exception>
    public static ImageRecipe Load(string recipeDirectory)
    {
        var directory = Path.GetFullPath(recipeDirectory);
        if (!System.IO.Directory.Exists(directory))
            throw new ContainerException($"image recipe directory '{directory}' does not exist (expected <repo>/containers/image with {string.Join(" and ", Inputs)})");
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in Inputs)
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path))
                throw new ContainerException($"image recipe file '{path}' is missing (the recipe is {string.Join(" and ", Inputs)} in {directory})");
            var bytes = File.ReadAllBytes(path);
            // Name and length frame each file, so moving bytes from one file to the other changes the hash.
            sha.AppendData(Encoding.UTF8.GetBytes($"{name}\n{bytes.Length}\n"));
            sha.AppendData(bytes);
        }
        return new ImageRecipe(directory, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }
}
