using System.Text;

namespace Bridge.Cli.Output;

/// <summary>Replaces a file whole: the text goes to a temporary file in the same directory, then rename(2) puts it in
/// place. A reader (or a run killed mid-write) sees the old file or the new one, never half of one.</summary>
public static class AtomicFile
{
    public static void Write(string path, string text)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllText(temporary, text, new UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new OutputFailedException($"cannot write {path}: {e.Message}", e);
        }
    }

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
