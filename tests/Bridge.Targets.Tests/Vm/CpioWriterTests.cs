using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using Bridge.Targets.Vm;

namespace Bridge.Targets.Tests.Vm;

/// <summary>Archives written here are read back by GNU cpio, the reference reader of the newc format.</summary>
[SupportedOSPlatform("linux")]
public sealed class CpioWriterTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("bridge-vm-test-cpio-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static (int Exit, string Stdout, string Stderr) Cpio(string workingDirectory, byte[] input, params string[] args)
    {
        var start = new ProcessStartInfo("cpio") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void GnuCpioExtractsWhatWasWritten()
    {
        VmHost.RequireBoot();
        var payload = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        using var archive = new MemoryStream();
        using (var cpio = new CpioWriter(archive))
        {
            cpio.AddDirectory("bin");
            cpio.AddFile("bin/tool", payload, 0x1ED);
            cpio.AddFile("odd-name-3", "abc"u8);
            cpio.AddFile("empty", []);
            cpio.AddSymlink("bin/sh", "tool");
        }
        var target = Directory.CreateDirectory(Path.Combine(_dir.FullName, "out")).FullName;

        var (exit, _, stderr) = Cpio(target, archive.ToArray(), "-i", "--make-directories", "--quiet");

        Assert.True(exit == 0, stderr);
        Assert.Equal(payload, File.ReadAllBytes(Path.Combine(target, "bin/tool")));
        Assert.Equal("abc", File.ReadAllText(Path.Combine(target, "odd-name-3")));
        Assert.Empty(File.ReadAllBytes(Path.Combine(target, "empty")));
        Assert.Equal("tool", new FileInfo(Path.Combine(target, "bin/sh")).LinkTarget);
        Assert.True(File.GetUnixFileMode(Path.Combine(target, "bin/tool")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal(0, archive.Length % 4);
    }

    [Fact]
    public void ListingShowsTypesModesAndDeviceNumbers()
    {
        VmHost.RequireBoot();
        using var archive = new MemoryStream();
        using (var cpio = new CpioWriter(archive))
        {
            cpio.AddDirectory("dev");
            cpio.AddCharDevice("dev/console", 5, 1);
        }

        var (exit, listing, stderr) = Cpio(_dir.FullName, archive.ToArray(), "-t", "-v", "--quiet");

        Assert.True(exit == 0, stderr);
        var lines = listing.Trim().Split('\n');
        Assert.StartsWith("drwxr-xr-x", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("crw-------", lines[1], StringComparison.Ordinal);
        Assert.Contains("5,", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("dev/console", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void AppendedArchiveStartsAlignedAndReadsOnItsOwn()
    {
        VmHost.RequireBoot();
        using var stream = new MemoryStream();
        using (var first = new CpioWriter(stream))
            first.AddFile("a", "x"u8);
        var secondStart = stream.Position;
        using (var second = new CpioWriter(stream))
            second.AddFile("b", "second archive"u8);
        var target = Directory.CreateDirectory(Path.Combine(_dir.FullName, "second")).FullName;

        var (exit, _, stderr) = Cpio(target, stream.ToArray()[(int)secondStart..], "-i", "--quiet");

        Assert.Equal(0, secondStart % 4);
        Assert.True(exit == 0, stderr);
        Assert.Equal("second archive", File.ReadAllText(Path.Combine(target, "b")));
    }

    [Fact]
    public void BadEntriesAreRefused()
    {
        using var cpio = new CpioWriter(new MemoryStream());
        cpio.AddFile("x", "1"u8);
        Assert.Contains("already written", Assert.Throws<ArgumentException>(() => cpio.AddFile("/x", "2"u8)).Message, StringComparison.Ordinal);
        Assert.Contains("without empty, '.' or '..' parts", Assert.Throws<ArgumentException>(() => cpio.AddFile("a/../b", [])).Message, StringComparison.Ordinal);
        cpio.Finish();
        Assert.Throws<ObjectDisposedException>(() => cpio.AddFile("late", []));
    }

    [Fact]
    public void HeaderFieldsAreNewcHex()
    {
        using var archive = new MemoryStream();
        using (var cpio = new CpioWriter(archive))
            cpio.AddFile("f", "hello"u8, 0x1A4);
        var header = Encoding.ASCII.GetString(archive.ToArray(), 0, 110);

        Assert.StartsWith("070701", header, StringComparison.Ordinal);
        Assert.Equal("000081a4", header.Substring(6 + 8, 8));      // mode: regular file 0644
        Assert.Equal("00000005", header.Substring(6 + (6 * 8), 8)); // file size
        Assert.Equal("00000002", header.Substring(6 + (11 * 8), 8)); // name size with its NUL
    }
}
