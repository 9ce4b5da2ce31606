using Bridge.Targets.Bisect;

namespace Bridge.Cli.Tests;

/// <summary><c>pinbridge bisect</c> without booting anything: usage errors name what is wrong and exit 2 before any
/// kernel is fetched, and over a git tree whose build script cannot build, every commit is untestable (exit 125),
/// each with the script's reason, and the tree ends checked out where it was.</summary>
public sealed class BisectCliTests : IDisposable
{
    private const string Races = "scenarios/default/races.scn";
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-bisect-cli-").FullName;

    [Theory]
    [InlineData("expected --line LINE", Races)]
    [InlineData("expected --line LINE", Races, "--line", "debian-6.12", "--kernel", "/bin/true")]
    [InlineData("unknown kernel line 'debian-5.10'", Races, "--line", "debian-5.10")]
    [InlineData("expected a line without a version", Races, "--line", "debian-6.12@6.12.111")]
    [InlineData("--tree goes with --kernel", Races, "--line", "debian-6.12", "--tree", "/tmp")]
    [InlineData("--repeat 0: expected 1 to 20", Races, "--line", "debian-6.12", "--repeat", "0")]
    [InlineData("needs --tree DIR, --good COMMIT and --bad COMMIT", Races, "--kernel", "/bin/true", "--tree", "/tmp")]
    [InlineData("--only 'nothing[*]' matches none", Races, "--only", "nothing[*]", "--line", "debian-6.12")]
    [InlineData("Cannot parse argument 'sometimes'", Races, "--line", "debian-6.12", "--refused", "sometimes")]
    public void UsageErrorsExitTwoAndSayWhatIsExpected(string expected, params string[] args)
    {
        var (code, stdout, stderr) = BridgeProcess.Run(["bisect", .. args]);
        Assert.True(code == 2, $"exit {code}: {stdout}{stderr}");
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void AVersionTheLineDoesNotOfferIsAUsageErrorListingWhatItOffers()
    {
        var (code, _, stderr) = BridgeProcess.Run("bisect", Races, "--line", "debian-6.12", "--good", "6.12.0");
        Assert.SkipWhen(stderr.Contains("no version of this line", StringComparison.Ordinal), "the archive's index cannot be fetched here");
        Assert.Equal(2, code);
        Assert.Contains("--good 6.12.0: the line has no such version; expected one of 6.12.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ListPrintsTheSelectedScenariosAndBootsNothing()
    {
        var (code, stdout, _) = BridgeProcess.Run("bisect", Races, "--only", "races[btrfs,*]", "--line", "debian-6.12", "--list");
        Assert.Equal(0, code);
        Assert.Equal(["races[btrfs,msync]", "races[btrfs,fsync]"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private (int Code, string Stdout, string Stderr) Git(string tree, params string[] args) =>
        Consumers.Run("git", ["-c", "user.name=Bridge", "-c", "user.email=bridge@localhost", .. args], tree);

    private (string Tree, string[] Commits) Tree(int commits)
    {
        var tree = Path.Combine(_dir, "tree");
        Directory.CreateDirectory(tree);
        Assert.Equal(0, Git(tree, "init", "-q", "-b", "work").Code);
        for (var i = 0; i < commits; i++)
        {
            File.WriteAllText(Path.Combine(tree, "n.txt"), $"{i}\n");
            Assert.Equal(0, Git(tree, "add", "n.txt").Code);
            Assert.Equal(0, Git(tree, "commit", "-q", "-m", $"commit {i}").Code);
        }
        return (tree, Git(tree, "log", "--reverse", "--format=%h").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private string Script(string body)
    {
        var path = Path.Combine(_dir, "build.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        Assert.Equal(0, Consumers.Run("chmod", ["+x", path]).ExitCode);
        return path;
    }

    [Theory]
    [InlineData("echo \"cannot build $1\" >&2; exit 125", "exited 125: cannot build")]
    [InlineData("echo /nonexistent/bzImage", "printed no bzImage path as its last line (got '/nonexistent/bzImage'")]
    public void ABuildScriptThatBuildsNothingLeavesEveryCommitUntestable(string body, string reason)
    {
        var (tree, commits) = Tree(3);
        var (code, json, stderr) = BridgeProcess.Run("bisect", Races, "--only", "races[ext4,fsync]", "--kernel", Script(body), "--tree", tree,
            "--good", commits[0], "--bad", "HEAD", "--json");

        Assert.True(code == BisectOutcome.CannotDecide, $"exit {code}: {stderr}\n{json}");
        // A named end that cannot be tested ends the search: the good end is the only one built.
        var file = Path.Combine(_dir, "bisect.json");
        File.WriteAllText(file, json);
        var (q, fields, qErr) = Consumers.Run("jq", ["-r", "[.result.kind, .result.reason, (.tested | length), .tested[0].name, .tested[0].untestable] | @tsv", file]);
        Assert.True(q == 0, qErr);
        var f = fields.TrimEnd('\n').Split('\t');
        Assert.Equal("cannot-test", f[0]);
        Assert.StartsWith("the old end cannot be tested", f[1], StringComparison.Ordinal);
        Assert.Equal(("1", commits[0]), (f[2], f[3]));
        Assert.Contains(reason, f[4], StringComparison.Ordinal);
        Assert.Equal("work", Git(tree, "symbolic-ref", "--short", "HEAD").Stdout.Trim());
    }

    [Theory]
    [InlineData("--good", "nosuchcommit", "--good nosuchcommit: no such commit")]
    [InlineData("--bad", "nosuchcommit", "--bad nosuchcommit: no such commit")]
    public void CommitsMustExistAndBeInOrder(string option, string value, string expected)
    {
        var (tree, commits) = Tree(2);
        string[] range = option == "--good" ? ["--good", value, "--bad", commits[1]] : ["--good", commits[0], "--bad", value];
        var (code, _, stderr) = BridgeProcess.Run(["bisect", Races, "--kernel", Script("exit 125"), "--tree", tree, .. range]);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);

        var (reversed, _, why) = BridgeProcess.Run("bisect", Races, "--kernel", Script("exit 125"), "--tree", tree, "--good", commits[1], "--bad", commits[0]);
        Assert.Equal(2, reversed);
        Assert.Contains("is not an ancestor of --bad", why, StringComparison.Ordinal);
    }

    [Fact]
    public void ATreeWithUncommittedChangesIsRefusedUntouched()
    {
        var (tree, commits) = Tree(2);
        File.WriteAllText(Path.Combine(tree, "n.txt"), "local edit\n");
        var (code, _, stderr) = BridgeProcess.Run("bisect", Races, "--kernel", Script("exit 125"), "--tree", tree, "--good", commits[0], "--bad", commits[1]);
        Assert.Equal(2, code);
        Assert.Contains("uncommitted changes", stderr, StringComparison.Ordinal);
        Assert.Equal("local edit\n", File.ReadAllText(Path.Combine(tree, "n.txt")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
