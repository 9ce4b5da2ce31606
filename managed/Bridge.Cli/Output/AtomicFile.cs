using System.Text;

namespace Bridge.Cli.Output;

/// <summary>Replaces files whole: each text goes to a temporary file in the same directory, then rename(2) puts it in
/// place. A reader (or a run killed mid-write) sees the old file or the new one, never half of one.</summary>
public static class AtomicFile
{
    public static void Write(string path, string text) => WriteAll([(path, text)]);

    /// <summary>Several files that describe the same moment: every temporary file is written first and the renames
    /// follow back to back, so a run killed while it renders or writes (milliseconds to seconds for a large run)
    /// leaves the previous set, and only a kill between two renames (microseconds) leaves the sets mixed.</summary>
    public static void WriteAll(IReadOnlyList<(string Path, string Text)> files)
    {
        var temporaries = files.Select(f => TemporaryFor(f.Path)).ToList();
        var current = files[0].Path;
        try
        {
            foreach (var ((path, text), temporary) in files.Zip(temporaries))
            {
                current = path;
                File.WriteAllText(temporary, text, new UTF8Encoding(false));
            }
            foreach (var ((path, _), temporary) in files.Zip(temporaries))
            {
                current = path;
                File.Move(temporary, path, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var temporary in temporaries)
                TryDelete(temporary);
            throw new OutputFailedException($"cannot write {current}: {e.Message}", e);
        }
    }

    /// <summary>Removes what a run killed outright (SIGKILL) left between writing its temporary files and renaming
    /// them: <c>.NAME.PID.tmp</c> files in <paramref name="directory"/> whose process is gone.</summary>
    public static void RemoveStaleTemporaries(string directory)
    {
        foreach (var temporary in Directory.EnumerateFiles(directory, ".*.tmp"))
        {
            var parts = Path.GetFileName(temporary).Split('.');
            if (parts.Length >= 4 && int.TryParse(parts[^2], out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
                TryDelete(temporary);
        }
    }

    private static string TemporaryFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write already failed; that is what is reported.
        }
    }
}
