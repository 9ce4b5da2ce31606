using Bridge.Targets.Container;

namespace Bridge.Targets.Tests.Container;

public sealed class ContainerRunSpecTests
{
    private static readonly ContainerRunSpec Valid = new() { Image = "bridge-test:0123456789ab", Command = ["/bin/true"] };

    [Fact]
    public void A_minimal_spec_is_valid() => Valid.Validate();

    public static TheoryData<string, string> Malformed() => new()
    {
        { "image", "Image is empty" },
        { "command", "Command is empty" },
        { "workdir", "WorkingDirectory 'relative' must be an absolute path" },
        { "env", "environment variable name 'A=B' is invalid" },
        { "mount-source", "bind mount source '/nonexistent/bridge/source' does not exist" },
        { "mount-root", "targets '/', which would hide the image" },
        { "mount-twice", "two bind mounts target '/src'" },
        { "scratch", "scratch directory '/nonexistent/bridge/scratch' does not exist" },
        { "timeout", "Timeout 00:00:00 must be positive" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_specs_are_refused_naming_the_field_and_form(string what, string expected)
    {
        var spec = what switch
        {
            "image" => Valid with { Image = " " },
            "command" => Valid with { Command = [] },
            "workdir" => Valid with { WorkingDirectory = "relative" },
            "env" => Valid with { Environment = new Dictionary<string, string> { ["A=B"] = "c" } },
            "mount-source" => Valid with { Mounts = [new BindMount("/nonexistent/bridge/source", "/src", true)] },
            "mount-root" => Valid with { Mounts = [new BindMount("/etc", "/", true)] },
            "mount-twice" => Valid with { Mounts = [new BindMount("/etc", "/src", true), new BindMount("/usr", "/src/", true)] },
            "scratch" => Valid with { ScratchDirectory = "/nonexistent/bridge/scratch" },
            "timeout" => Valid with { Timeout = TimeSpan.Zero },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        var error = Assert.Throws<ArgumentException>(spec.Validate);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("ssh://user@host")]
    [InlineData("/var/run/docker.sock")]
    public void Unsupported_docker_host_forms_are_refused(string value)
    {
        var error = Assert.Throws<ContainerException>(() => DockerEngine.ParseDockerHost(value));
        Assert.Contains("expected unix:///path/to/docker.sock or tcp://host:port", error.Message);
    }

    [Theory]
    [InlineData("relative/run", "/var/lib/x", "must be an absolute path")]
    [InlineData("/run", "/var/lib/x", "at least two levels deep")]
    [InlineData("/run/a-very-long-directory-name-that-pushes-the-containerd-socket-path-past-the-unix-limit", "/var/lib/x", "must stay under 108 bytes")]
    public void Bad_private_engine_layouts_are_refused(string run, string data, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new PrivateEngineLayout(run, data));
        Assert.Contains(expected, error.Message);
    }
}
