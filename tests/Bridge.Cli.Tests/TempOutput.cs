namespace Bridge.Cli.Tests;

/// <summary>A temporary --output directory, deleted with its evidence at the end of the test.</summary>
public sealed class TempOutput : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("pinbridge-output-").FullName;

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
