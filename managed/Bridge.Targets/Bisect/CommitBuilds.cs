using Bridge.Linux.Host;
using Bridge.Targets.Vm.Kernels;

namespace Bridge.Targets.Bisect;

/// <summary>
/// <c>pinbridge bisect --kernel SCRIPT --tree DIR --good C1 --bad C2</c>: the candidates are C1 and the commits of
/// <c>git rev-list --first-parent C1..C2</c>, oldest first. Testing one checks it out in DIR (<c>git checkout
/// --detach</c>, as git bisect does; the work tree must have no uncommitted changes to tracked files) and runs
/// <c>SCRIPT COMMIT</c> in DIR (also in <c>$BRIDGE_BISECT_COMMIT</c>). The script's contract: build the kernel, then
/// print the bzImage's path on a line of its own as the last line of standard output, or that line followed by the
/// modules directory (<c>…/lib/modules/RELEASE</c> with modules.dep) — relative paths are taken from DIR; exit 0.
/// Anything else it prints is build output (better sent to standard error). A non-zero exit (125 by convention, as
/// for git bisect run) means the commit cannot be tested. When the bisection ends, whatever way, DIR is checked out
/// where it was (its branch, or the detached commit).
/// </summary>
public sealed class CommitBuilds : IAsyncDisposable
{
    private readonly string _tree;
    private readonly string _script;
    private readonly string _original;

    private CommitBuilds(string tree, string script, string original) => (_tree, _script, _original) = (tree, script, original);

    /// <exception cref="ArgumentException">DIR is not a git work tree, has uncommitted changes, or SCRIPT is not an
    /// executable file.</exception>
    public static async Task<CommitBuilds> OpenAsync(string tree, string script, CancellationToken ct)
    {
        var dir = Path.GetFullPath(tree);
        if (!Directory.Exists(dir))
            throw new ArgumentException($"--tree {tree}: no such directory (expected a git work tree, e.g. a kernel checkout)");
        var path = Path.GetFullPath(script);
        if (!File.Exists(path) || Mono.Unix.Native.Syscall.access(path, Mono.Unix.Native.AccessModes.X_OK) != 0)
            throw new ArgumentException($"--kernel {script}: not an executable file (expected a script that builds the checked-out commit and prints the bzImage's path)");
        var top = await GitAsync(dir, ["rev-parse", "--show-toplevel"], ct, $"--tree {tree}: not a git work tree");
        var dirty = await GitAsync(dir, ["status", "--porcelain", "--untracked-files=no"], ct);
        if (dirty.Length > 0)
            throw new ArgumentException($"--tree {tree}: the work tree has uncommitted changes ({dirty.Split('\n')[0].Trim()} …); bisect checks commits out: commit or stash them first");
        var branch = (await Tool.RunAsync("git", ["-C", dir, "symbolic-ref", "-q", "--short", "HEAD"], ct)).Stdout.Trim();
        var original = branch.Length > 0 ? branch : await GitAsync(dir, ["rev-parse", "HEAD"], ct);
        return new CommitBuilds(top, path, original);
    }

    /// <summary><paramref name="good"/> and the first-parent commits after it up to <paramref name="bad"/>, oldest first.</summary>
    /// <exception cref="ArgumentException">A commit does not exist, or <paramref name="good"/> is not an ancestor of <paramref name="bad"/>.</exception>
    public async Task<IReadOnlyList<BisectCandidate>> CandidatesAsync(string good, string bad, CancellationToken ct)
    {
        var from = await GitAsync(_tree, ["rev-parse", "--verify", "--quiet", good + "^{commit}"], ct, $"--good {good}: no such commit in {_tree}");
        var to = await GitAsync(_tree, ["rev-parse", "--verify", "--quiet", bad + "^{commit}"], ct, $"--bad {bad}: no such commit in {_tree}");
        if (!(await Tool.RunAsync("git", ["-C", _tree, "merge-base", "--is-ancestor", from, to], ct)).Succeeded)
            throw new ArgumentException($"--good {good} is not an ancestor of --bad {bad} (expected an older commit of the same history)");
        var log = await GitAsync(_tree, ["log", "--first-parent", "--reverse", "--format=%H %h %s", $"{from}..{to}"], ct);
        var head = await GitAsync(_tree, ["log", "-1", "--format=%H %h %s", from], ct);
        return [.. new[] { head }.Concat(log.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Select(line =>
        {
            var parts = line.Split(' ', 3);
            return new BisectCandidate(parts[1], parts[0], parts.Length > 2 ? parts[2] : "");
        })];
    }

    /// <summary>Checks the commit out and builds it; the kernel to boot, or why it cannot be tested.</summary>
    public async Task<(KernelSource? Kernel, string? NotBuilt)> BuildAsync(BisectCandidate commit, CancellationToken ct)
    {
        var checkout = await Tool.RunAsync("git", ["-C", _tree, "checkout", "--quiet", "--detach", commit.Spec], ct);
        if (!checkout.Succeeded)
            return (null, $"git checkout {commit.Name} failed: {checkout.Said}");
        var build = await Tool.RunAsync("/usr/bin/env", [$"BRIDGE_BISECT_COMMIT={commit.Spec}", _script, commit.Spec], ct, workingDirectory: _tree);
        if (!build.Succeeded)
            return (null, $"{Path.GetFileName(_script)} {commit.Name} exited {build.ExitCode}: {string.Join(" | ", build.Tail.TakeLast(3))}");
        var lines = build.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => Path.GetFullPath(l, _tree)).ToList();
        var (image, modules) = lines switch
        {
            [.., var i, var m] when Directory.Exists(m) => (i, m),
            [.., var i] => (i, null),
            [] => ((string?)null, (string?)null),
        };
        if (image is null || !File.Exists(image))
            return (null, $"{Path.GetFileName(_script)} {commit.Name} printed no bzImage path as its last line (got '{lines.LastOrDefault()}'; expected BZIMAGE, or BZIMAGE then MODULES_DIR)");
        return (KernelSource.Image(image, modules), null);
    }

    /// <summary>Checks out what was checked out before.</summary>
    public async ValueTask DisposeAsync()
    {
        var back = await Tool.RunAsync("git", ["-C", _tree, "checkout", "--quiet", _original], CancellationToken.None);
        if (!back.Succeeded)
            await Console.Error.WriteLineAsync($"pinbridge: could not check {_tree} out at {_original} again: {back.Said}");
    }

    private static async Task<string> GitAsync(string dir, IReadOnlyList<string> args, CancellationToken ct, string? failure = null)
    {
        var result = await Tool.RunAsync("git", ["-C", dir, .. args], ct);
        return result.Succeeded ? result.Stdout.Trim()
            : throw new ArgumentException(failure ?? $"git {string.Join(' ', args)} in {dir} failed: {result.Said}");
    }
}
