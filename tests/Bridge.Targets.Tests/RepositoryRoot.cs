namespace Bridge.Targets.Tests;

/// <summary>The checkout these tests were built from (where Bridge.sln is), for its scenario files.</summary>
internal static class RepositoryRoot
{
    public static readonly string Path = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Bridge.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Bridge.sln not found above " + AppContext.BaseDirectory);
    }
}
