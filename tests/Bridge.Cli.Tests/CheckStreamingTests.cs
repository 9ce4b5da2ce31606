using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bridge.Core.Blocks;

namespace Bridge.Cli.Tests;

/// <summary>`pinbridge check` on what once crashed it or ate its memory: a sparse 3 GiB file (offsets past 2^31, peak
/// RSS measured by GNU time), /dev/zero (no end), and the expectation file's schema read by python's jsonschema.</summary>
public class CheckStreamingTests
{
    private const ulong Run = 0x00c0_ffee_0000_0001;
    private const long Size = 3L << 30;

    [Fact]
    public void ASparseFileOfThreeGibibytesStreamsInBoundedMemoryWithOffsetsPast2GiB()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bridge-sparse-{Guid.NewGuid():N}.img");
        long[] data = [0, (5L << 29) / 4096, Size / 4096 - 1];
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew))
            {
                file.SetLength(Size);
                var block = new byte[4096];
                foreach (var b in data)
                {
                    BlockCodec.Stamp(block, new BlockStamp(Run, 1, (int)b, 4, 0, Writer.Cpu, 2));
                    file.Position = b * 4096;
                    file.Write(block);
                }
            }
            // Without a run or a block size given, the file is read twice (survey, then check).
            var (code, json, rss) = TimedCheck(path, "--json");
            Assert.Equal(1, code);
            Assert.True(rss < 200 << 10, $"peak RSS {rss >> 10} MiB for a {Size >> 30} GiB file");
            using var report = JsonDocument.Parse(json);
            var ranges = report.RootElement.GetProperty("ranges").EnumerateArray()
                .Select(r => (r.GetProperty("verdict").GetString(), r.GetProperty("offset").GetInt64(), r.GetProperty("end").GetInt64())).ToList();
            Assert.Equal(
                [("intact", 0, 4095), ("zeroed", 4096, (5L << 29) - 1), ("intact", 5L << 29, (5L << 29) + 4095), ("zeroed", (5L << 29) + 4096, Size - 4097), ("intact", Size - 4096, Size - 1)],
                ranges);
            Assert.Equal("00c0ffee00000001", report.RootElement.GetProperty("runId").GetString());

            var (allowed, text, _) = TimedCheck(path, "--allow-holes", "--run-id", $"{Run:x}", "--block-size", "4K");
            Assert.Equal(0, allowed);
            Assert.Contains($"bytes {5L << 29}-{(5L << 29) + 4095}", text);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void DevZeroNeedsASizeAndThenPassesAsAllZero()
    {
        var (code, _, stderr) = BridgeProcess.Run("check", "/dev/zero");
        Assert.Equal(2, code);
        Assert.Contains("/dev/zero: a character device may have no end; give --size BYTES", stderr);
        var (sized, stdout, _) = BridgeProcess.Run("check", "/dev/zero", "--size", "64M");
        Assert.Equal(0, sized);
        Assert.Contains("all 16384 blocks are zero", stdout);
    }

    [Fact]
    public void TheExpectationSchemaIsValidAndAgreesWithTheParser()
    {
        var (code, schema, _) = BridgeProcess.Run("check", "--expect-schema");
        Assert.Equal(0, code);
        // python's jsonschema: the schema is a valid 2020-12 schema, and its example is an instance of it.
        const string script = """
            import json, sys, jsonschema
            schema = json.loads(open(sys.argv[1]).read())
            jsonschema.Draft202012Validator.check_schema(schema)
            for doc in sys.argv[2:]:
                errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.loads(doc)))
                print("valid" if not errors else "invalid")
            """;
        var schemaPath = Path.Combine(Path.GetTempPath(), $"bridge-schema-{Guid.NewGuid():N}.json");
        File.WriteAllText(schemaPath, schema);
        string[] docs =
        [
            JsonDocument.Parse(schema).RootElement.GetProperty("examples")[0].GetRawText(),
            """{"runId": "0123456789abcdef", "blocks": [{"blocks": "0-3,9", "contents": ["g2.1", "hole"], "mix": true}]}""",
            """{"runId": 81985529216486895}""",
            """{"blocks": [{"blocks": "0-3", "contents": []}]}""",
            """{"size": 4096, "colour": "red"}""",
            """{"blockSize": 1000}""",
        ];
        try
        {
            var python = CheckCorpusTests.Tool("python3", ["-c", script, schemaPath, .. docs], "");
            Assert.True(python.Code == 0, python.Stderr);
            var bySchema = python.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var byParser = docs.Select(d => Accepts(d) ? "valid" : "invalid");
            Assert.Equal(["valid", "valid", "invalid", "invalid", "invalid", "invalid"], bySchema);
            Assert.Equal(bySchema, byParser);
        }
        finally
        {
            File.Delete(schemaPath);
        }
    }

    private static bool Accepts(string json)
    {
        try
        {
            ImageExpectation.FromJson(json);
            return true;
        }
        catch (ExpectationException)
        {
            return false;
        }
    }

    /// <summary>`pinbridge check` under GNU time: exit code, stdout and the peak resident set in KiB.</summary>
    private static (int Code, string Stdout, long PeakKiB) TimedCheck(params string[] args)
    {
        var rssFile = Path.GetTempFileName();
        var psi = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-f", "%M", "-o", rssFile, Path.Combine(AppContext.BaseDirectory, "pinbridge"), "check", .. args])
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var rss = long.Parse(File.ReadAllLines(rssFile).Last(l => l.Length > 0), CultureInfo.InvariantCulture);
        File.Delete(rssFile);
        return (p.ExitCode, stdout + stderr.Result, rss);
    }
}
