using System.Globalization;
using System.Text.Json;
using Bridge.Linux.Host;
using Mono.Unix.Native;

namespace Bridge.Targets.Container;

/// <summary>One attached loop device as the host sees it.</summary>
/// <param name="Device">e.g. /dev/loop3.</param>
/// <param name="BackingFile">The backing file's path as the kernel last resolved it; once the attaching container is
/// gone this is relative to a mount that no longer exists (e.g. "/disk.img"), so matching goes by inode.</param>
/// <param name="BackingInode">The backing file's inode.</param>
/// <param name="BackingMajor">Major of the backing file's device.</param>
/// <param name="BackingMinor">Minor of the backing file's device.</param>
public sealed record AttachedLoop(string Device, string BackingFile, ulong BackingInode, uint BackingMajor, uint BackingMinor);

/// <summary>The host's attached loop devices (through util-linux losetup), and detaching those backed by files of a
/// given directory: containers share the host's /dev/loop*, and a loop device outlives the container that
/// attached it.</summary>
public static class LoopDevices
{
    public static async Task<IReadOnlyList<AttachedLoop>> ListAsync(CancellationToken ct = default)
    {
        var outcome = await Tool.RunAsync("losetup", ["--list", "--json", "--output", "NAME,BACK-FILE,BACK-INO,BACK-MAJ:MIN"], ct);
        if (!outcome.Succeeded)
            throw new ContainerException($"losetup --list failed (exit {outcome.ExitCode}): {outcome.Said}");
        var json = outcome.Stdout;
        if (string.IsNullOrWhiteSpace(json))
            return []; // losetup prints nothing at all when no device is attached
        using var document = JsonDocument.Parse(json);
        var found = new List<AttachedLoop>();
        foreach (var device in document.RootElement.GetProperty("loopdevices").EnumerateArray())
        {
            var majMin = (device.GetProperty("back-maj:min").GetString() ?? "").Trim().Split(':');
            found.Add(new AttachedLoop(
                device.GetProperty("name").GetString() ?? "",
                device.TryGetProperty("back-file", out var file) ? file.GetString() ?? "" : "",
                device.GetProperty("back-ino").GetUInt64(),
                uint.Parse(majMin[0], CultureInfo.InvariantCulture),
                uint.Parse(majMin[1], CultureInfo.InvariantCulture)));
        }
        return found;
    }

    /// <summary>Attached loop devices whose backing file is a file under <paramref name="directory"/> (matched by
    /// device and inode).</summary>
    public static async Task<IReadOnlyList<AttachedLoop>> BackedByFilesUnderAsync(string directory, CancellationToken ct = default)
    {
        if (!Directory.Exists(directory))
            return [];
        var files = new HashSet<(uint Major, uint Minor, ulong Inode)>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var path in Directory.EnumerateFiles(directory, "*", options))
            if (Syscall.lstat(path, out var st) == 0)
                files.Add((Major(st.st_dev), Minor(st.st_dev), st.st_ino));
        if (files.Count == 0)
            return [];
        return [.. (await ListAsync(ct)).Where(l => files.Contains((l.BackingMajor, l.BackingMinor, l.BackingInode)))];
    }

    /// <summary>Detaches every loop device backed by a file under <paramref name="directory"/>; returns their names.</summary>
    /// <exception cref="ContainerException">A device could not be detached (still mounted somewhere).</exception>
    public static async Task<IReadOnlyList<string>> DetachBackedByFilesUnderAsync(string directory, CancellationToken ct = default)
    {
        var detached = new List<string>();
        foreach (var loop in await BackedByFilesUnderAsync(directory, ct))
        {
            var outcome = await Tool.RunAsync("losetup", ["--detach", loop.Device], ct);
            if (!outcome.Succeeded)
                throw new ContainerException($"could not detach {loop.Device} (backed by {loop.BackingFile} in {directory}): {outcome.Said}");
            detached.Add(loop.Device);
        }
        return detached;
    }

    // glibc's dev_t encoding (gnu_dev_major / gnu_dev_minor).
    private static uint Major(ulong dev) => (uint)(((dev >> 32) & 0xfffff000) | ((dev >> 8) & 0xfff));
    private static uint Minor(ulong dev) => (uint)(((dev >> 12) & 0xffffff00) | (dev & 0xff));
}
