using Bridge.Core.Execution;
using Bridge.Core.Reports;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Execution;

/// <summary>
/// Keeps a scenario's files as the kernel left them after its last step, before the run takes them down: the data
/// file (<c>data.img</c>) and each output file (<c>out.img</c> …), and the data file's disk as a check read it
/// (<c>data.check-lineN.img</c>, written while the check reads). Images are read with O_DIRECT — what the disk holds; an
/// O_DIRECT read first writes back dirty pages in its range, as a check's disk view does, so a page the kernel still
/// counts as dirty reaches the image and a write the kernel forgot does not. Where O_DIRECT cannot be had (a tmpfs
/// before 6.6) the page cache is read. A block the kernel fails to read is zeros in the image, named in
/// <c>NAME.img.errors</c>. Files are written under a temporary name and renamed, so a kill leaves no half image.
/// </summary>
public static class KeptImages
{
    internal static void Save(RunContext ctx, KeptImageRequest request)
    {
        var directory = request.Directory;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // the evidence folder's report notes the missing images
        }
        if (ctx.Backing.Data is { } data)
            Copy(ctx.DataDirect ?? data, Math.Min(data.Size(), ctx.Geometry.FileSize), ctx, Path.Combine(directory, Evidence.ImageName(CheckPlan.DataFile)));
        foreach (var (name, output) in ctx.Outputs)
            Copy(output.Direct, output.Direct.Size(), ctx, Path.Combine(directory, Evidence.ImageName(name)));
        foreach (var check in request.Checks)
            MoveCheckImage(ctx, Evidence.CheckImageName(CheckPlan.DataFile, ctx.Scenario.StepAt(check).At.Line), directory);
    }

    /// <summary>A check's image from scratch to the evidence folder (a copy across filesystems, renamed into place).</summary>
    private static void MoveCheckImage(RunContext ctx, string name, string directory)
    {
        if (ctx.CheckImages is not { } scratch || !File.Exists(Path.Combine(scratch, name)))
            return;
        var image = Path.Combine(directory, name);
        try
        {
            File.Copy(Path.Combine(scratch, name), image + ".partial", overwrite: true);
            File.Move(image + ".partial", image, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryNote(image, e);
        }
    }

    private static void TryNote(string image, Exception e)
    {
        try
        {
            File.Delete(image + ".partial");
            File.WriteAllText(image + ".errors", $"the image could not be kept: {e.Message}\n");
        }
        catch (Exception again) when (again is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be said there; the evidence folder's report notes the missing image.
        }
    }

    /// <summary>Copies one file; when the evidence directory cannot take it (full, read-only), says so next to where
    /// the image would be, as far as it can: the scenario's observation matters more than its image.</summary>
    private static void Copy(FileDescriptor from, long size, RunContext ctx, string image)
    {
        try
        {
            TryCopy(from, size, ctx, image);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryNote(image, e);
        }
    }

    private static void TryCopy(FileDescriptor from, long size, RunContext ctx, string image)
    {
        var g = ctx.Geometry;
        var buffer = ctx.CheckBuffer;
        var errors = new List<string>();
        var temporary = image + ".partial";
        using (var to = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            var chunk = buffer.Length / g.BlockSize * g.BlockSize;
            for (long offset = 0; offset < size; offset += chunk)
            {
                var length = Math.Min(chunk, size - offset);
                var r = from.PRead(buffer.Address, length, offset);
                if (r.Ok && r.Value == length)
                {
                    to.Write(buffer.Span(0, (int)length));
                    continue;
                }
                // Block by block, so a failure lands on the block it belongs to.
                for (long b = offset; b < offset + length; b += g.BlockSize)
                {
                    var one = Math.Min(g.BlockSize, offset + length - b);
                    var rb = from.PRead(buffer.Address, one, b);
                    if (!rb.Ok || rb.Value < one)
                    {
                        errors.Add($"block {b / g.BlockSize} (bytes {b}-{b + one - 1}): {(rb.Ok ? "short read" : rb.ErrnoName)}; zeros in the image");
                        buffer.Span(0, (int)one).Clear();
                    }
                    to.Write(buffer.Span(0, (int)one));
                }
            }
        }
        File.Move(temporary, image, overwrite: true);
        if (errors.Count > 0)
            File.WriteAllLines(image + ".errors", errors);
    }
}

/// <summary>Which images of a scenario to keep, and where: the final files always, and the data file's disk as each
/// of <see cref="Checks"/> (step indexes of checks, typically those with findings) read it.</summary>
public sealed record KeptImageRequest(string Directory, IReadOnlyCollection<int> Checks);
