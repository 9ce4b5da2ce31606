using System.Buffers.Binary;
using Bridge.Linux.Host;
using Bridge.Targets.Vm.Kernels;
using System.Security.Cryptography;
using System.Text;

namespace Bridge.Targets.Vm;

/// <summary>
/// Builds the boot image in two cpio archives concatenated into one initrd:
/// the base (busybox-static, /init from containers/vm/init.sh, the modules — decompressed, because busybox insmod
/// and kernels without in-kernel decompression take plain .ko — and their load order), cached per kernel and module
/// set under CACHE/initramfs/; and a few hundred bytes per run (/bridge/run.env, see <see cref="RunScript"/>).
/// </summary>
public sealed class InitramfsBuilder(string cacheDirectory, string busyboxPath = InitramfsBuilder.DefaultBusybox)
{
    public const string DefaultBusybox = "/bin/busybox";
    private const string InitResource = "Bridge.Targets.Vm.init.sh";

    public static string InitScript { get; } = ReadInitScript();

    /// <summary>The base archive for these modules (files relative to the kernel's module tree, in load order).</summary>
    public async Task<string> GetBaseAsync(KernelImage kernel, IReadOnlyList<string> moduleFiles, CancellationToken ct)
    {
        var busybox = CheckBusybox(busyboxPath);
        var key = CacheKey(kernel, moduleFiles, busybox);
        var directory = Path.Combine(cacheDirectory, "initramfs");
        var path = Path.Combine(directory, $"{kernel.Release ?? "unknown"}-{key}.cpio");
        if (File.Exists(path))
        {
            CacheBudget.MarkUsed(path);
            return path;
        }
        Directory.CreateDirectory(directory);
        var partial = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write))
            {
                using var cpio = new CpioWriter(file);
                foreach (var dir in new[] { "bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys", "host", "lib", "lib/modules", "bridge" })
                    cpio.AddDirectory(dir);
                // The kernel opens /dev/console for init's stdio before devtmpfs is mounted.
                cpio.AddCharDevice("dev/console", 5, 1);
                cpio.AddFile("bin/busybox", await File.ReadAllBytesAsync(busybox, ct), 0x1ED);
                cpio.AddFile("init", Encoding.UTF8.GetBytes(InitScript), 0x1ED);
                var loadOrder = new StringBuilder();
                var directories = new HashSet<string>();
                foreach (var module in moduleFiles)
                {
                    var plain = PlainName(module);
                    AddParents(cpio, "lib/modules/" + plain, directories);
                    cpio.AddFile("lib/modules/" + plain, await ReadModuleAsync(Path.Combine(kernel.ModulesDirectory!, module), ct));
                    loadOrder.Append(plain).Append('\n');
                }
                cpio.AddFile("bridge/modules", Encoding.UTF8.GetBytes(loadOrder.ToString()));
                cpio.Finish();
            }
            File.Move(partial, path, overwrite: true);
            CacheBudget.MarkUsed(path);
            return path;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>Writes the initrd of one run: the base archive followed by the run's own archive (run.env).</summary>
    public static async Task WriteRunImageAsync(string basePath, string runEnv, string destination, CancellationToken ct)
    {
        await using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write);
        await using (var input = File.OpenRead(basePath))
            await input.CopyToAsync(output, ct);
        using var cpio = new CpioWriter(output);
        cpio.AddFile("bridge/run.env", Encoding.UTF8.GetBytes(runEnv));
        cpio.Finish();
    }

    /// <summary>The module's name inside the image: its tree path without the compression suffix.</summary>
    public static string PlainName(string module) =>
        module.EndsWith(".xz", StringComparison.Ordinal) || module.EndsWith(".gz", StringComparison.Ordinal) ? module[..^3]
        : module.EndsWith(".zst", StringComparison.Ordinal) ? module[..^4]
        : module;

    private static void AddParents(CpioWriter cpio, string path, HashSet<string> done)
    {
        var parts = path.Split('/');
        for (var i = 3; i < parts.Length; i++) // lib/modules exists
        {
            var dir = string.Join('/', parts[..i]);
            if (done.Add(dir))
                cpio.AddDirectory(dir);
        }
    }

    private static async Task<byte[]> ReadModuleAsync(string path, CancellationToken ct)
    {
        string? tool = path.EndsWith(".xz", StringComparison.Ordinal) ? "xz"
            : path.EndsWith(".zst", StringComparison.Ordinal) ? "zstd"
            : path.EndsWith(".gz", StringComparison.Ordinal) ? "gzip"
            : null;
        if (tool is null)
            return await File.ReadAllBytesAsync(path, ct);
        try
        {
            return await Tool.ReadOutputAsync(tool, ["-dc", path], ct);
        }
        catch (ToolException e)
        {
            throw new VmSetupException($"decompressing {path}: {e.Message} (see containers/vm/packages.txt)", e);
        }
    }

    private static string CacheKey(KernelImage kernel, IReadOnlyList<string> moduleFiles, string busybox)
    {
        var text = new StringBuilder().Append(InitScript).Append('\0').Append(kernel.ModulesDirectory).Append('\0');
        foreach (var file in moduleFiles.Select(m => Path.Combine(kernel.ModulesDirectory!, m)).Append(busybox))
        {
            var info = new FileInfo(file);
            text.Append(file).Append(' ').Append(info.Length).Append(' ').Append(info.LastWriteTimeUtc.Ticks).Append('\0');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>busybox must be static: the initramfs has no C library. A dynamic one is the busybox package,
    /// not busybox-static.</summary>
    private static string CheckBusybox(string path)
    {
        byte[] head;
        try
        {
            using var file = File.OpenRead(path);
            head = new byte[4096];
            Array.Resize(ref head, file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VmSetupException($"cannot read busybox at '{path}': {e.Message} (expected a static busybox: apt-get install busybox-static)", e);
        }
        if (head.Length < 64 || !head.AsSpan(0, 4).SequenceEqual((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F']) || head[4] != 2)
            throw new VmSetupException($"'{path}' is not a 64-bit ELF executable (expected a static busybox: apt-get install busybox-static)");
        var programHeaders = (int)BinaryPrimitives.ReadUInt64LittleEndian(head.AsSpan(0x20));
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(0x36));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(0x38));
        const uint interpreter = 3; // PT_INTERP: the binary needs a dynamic loader
        for (var i = 0; i < count; i++)
        {
            var at = programHeaders + (i * entrySize);
            if (at + 4 <= head.Length && BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(at)) == interpreter)
                throw new VmSetupException($"'{path}' is dynamically linked (expected a static busybox: apt-get install busybox-static)");
        }
        return path;
    }

    private static string ReadInitScript()
    {
        using var stream = typeof(InitramfsBuilder).Assembly.GetManifestResourceStream(InitResource)
            ?? throw new InvalidOperationException($"resource {InitResource} is missing from {typeof(InitramfsBuilder).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
