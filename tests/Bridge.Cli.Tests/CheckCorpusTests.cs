using System.Diagnostics;
using System.Text.Json;

namespace Bridge.Cli.Tests;

/// <summary>
/// `pinbridge check` against the corruption corpus (<see cref="CheckCorpus"/>), through the real executable: every
/// corruption is caught (exit 1) with its verdict on the range that holds the damaged block and fio's wording of the
/// reason, in the text report and in the JSON one; every intact control passes (exit 0). The JSON is read by real
/// consumers: python3's json module must accept every report and jq must find no number a double cannot hold exactly.
/// BRIDGE_CHECK_CORPUS=DIR also writes the corpus there (images and manifest.tsv: file, corrupt or intact, the arguments, tab-separated), so that another build
/// of `pinbridge check` can be measured against the same files.
/// </summary>
public class CheckCorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryCorruptionIsCaughtWithItsReasonAndEveryIntactImagePasses()
    {
        var dir = Directory.CreateTempSubdirectory("bridge-corpus-");
        var export = Environment.GetEnvironmentVariable("BRIDGE_CHECK_CORPUS");
        var misses = new List<string>();
        var reports = new List<string>();
        try
        {
            var n = 0;
            foreach (var c in CheckCorpus.Corruptions)
            {
                var path = Write(dir.FullName, export, ++n, c.Name, c.Damage(CheckCorpus.Image()), c.Args, "corrupt");
                if (Miss(path, c, reports) is { } why)
                    misses.Add($"{c.Name}: {why}");
            }
            foreach (var c in CheckCorpus.Controls)
            {
                var path = Write(dir.FullName, export, ++n, c.Name, c.Shape(CheckCorpus.Image()), c.Args, "intact");
                var (code, stdout, stderr) = BridgeProcess.Run(["check", path, .. c.Args]);
                if (code != 0)
                    misses.Add($"control {c.Name}: exit {code}, expected 0\n{stdout}{stderr}");
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
        // The reports to the consumers, all at once: python's json module, then jq over the same stream.
        var python = Tool("python3", ["-c", "import json, sys; docs = sys.stdin.read().split('\\0'); [json.loads(d) for d in docs]; print(len(docs))"], string.Join('\0', reports));
        Assert.True(python.Code == 0 && python.Stdout.Trim() == $"{reports.Count}", $"python3 json: {python.Stderr}");
        var jq = Tool("jq", ["-s", "-e", "length as $n | [.[] | .. | numbers | select(. >= 9007199254740992 or . <= -9007199254740992)] | length == 0 and $n > 0"], string.Join('\n', reports));
        Assert.True(jq.Code == 0, $"jq: a number past 2^53, or unreadable JSON: {jq.Stdout}{jq.Stderr}");
        output.WriteLine($"corruptions tried {CheckCorpus.Corruptions.Count}, missed {misses.Count(m => !m.StartsWith("control", StringComparison.Ordinal))}; " +
                         $"intact controls {CheckCorpus.Controls.Count}, failed {misses.Count(m => m.StartsWith("control", StringComparison.Ordinal))}");
        Assert.True(misses.Count == 0, string.Join("\n\n", misses));
    }

    /// <summary>Why `check` missed the corruption, or null when it caught it as it should.</summary>
    private static string? Miss(string path, Corruption c, List<string> reports)
    {
        var (code, json, stderr) = BridgeProcess.Run(["check", "--json", path, .. c.Args]);
        if (code != 1)
            return $"exit {code}, expected 1\n{json}{stderr}";
        reports.Add(json);
        using var report = JsonDocument.Parse(json);
        var root = report.RootElement;
        if (root.GetProperty("passed").GetBoolean())
            return "the report says passed";
        string text;
        if (c.Verdict == "problem")
        {
            text = string.Join("; ", root.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        }
        else
        {
            var range = root.GetProperty("ranges").EnumerateArray()
                .FirstOrDefault(r => r.GetProperty("first").GetInt64() <= c.Block && c.Block <= r.GetProperty("last").GetInt64());
            if (range.ValueKind == JsonValueKind.Undefined)
                return $"no range holds block {c.Block}\n{json}";
            if (range.GetProperty("verdict").GetString() != c.Verdict)
                return $"block {c.Block} is '{range.GetProperty("verdict").GetString()}', expected '{c.Verdict}'\n{json}";
            text = range.GetProperty("reason").GetString()!;
        }
        if (!text.Contains(c.Reason, StringComparison.Ordinal))
            return $"the reason \"{text}\" does not say \"{c.Reason}\"";
        var (textCode, human, _) = BridgeProcess.Run(["check", path, .. c.Args]);
        return textCode == 1 && human.Contains(c.Reason, StringComparison.Ordinal) ? null : $"the text report (exit {textCode}) does not say \"{c.Reason}\":\n{human}";
    }

    private static string Write(string dir, string? export, int n, string name, byte[] image, string[] args, string kind)
    {
        var file = $"{n:00}-{string.Concat(name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-'))}.img";
        var path = Path.Combine(dir, file);
        File.WriteAllBytes(path, image);
        if (export is { Length: > 0 })
        {
            Directory.CreateDirectory(export);
            File.WriteAllBytes(Path.Combine(export, file), image);
            File.AppendAllText(Path.Combine(export, "manifest.tsv"), string.Join('\t', [file, kind, .. args]) + "\n");
        }
        return path;
    }

    internal static (int Code, string Stdout, string Stderr) Tool(string exe, string[] args, string stdin)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
