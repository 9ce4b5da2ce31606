using Bridge.Linux.Host;

namespace Bridge.Linux.Tests.Host;

public class ToolTests
{
    [Fact]
    public void Output_comes_back_and_a_failure_names_the_command_its_status_and_what_it_said()
    {
        Assert.Equal("a b\n", Tool.Run("echo", "a", "b"));
        var error = Assert.Throws<ToolException>(() => Tool.Run("sh", "-c", "echo 'no such thing' >&2; exit 3"));
        Assert.Contains("sh -c", error.Message);
        Assert.Contains("exit 3", error.Message);
        Assert.Contains("no such thing", error.Message);
    }

    [Fact]
    public void A_missing_tool_says_so() =>
        Assert.Contains("is not installed", Assert.Throws<ToolException>(() => Tool.Run("bridge-no-such-tool")).Message);

    [Fact]
    public async Task Lines_reach_the_callback_as_they_come_and_the_tail_keeps_both_streams()
    {
        var lines = new List<string>();
        var result = await Tool.RunAsync("sh", ["-c", "echo one; echo two >&2; exit 1"], CancellationToken.None, lines.Add);
        Assert.False(result.Succeeded);
        Assert.Equal(["one", "two"], lines.Order());
        Assert.Equal(["one", "two"], result.Tail.Order());
        Assert.Equal("two", result.Said);
    }

    [Fact]
    public async Task Cancellation_kills_the_tool_and_its_children()
    {
        var marker = "bridge-tool-test-" + Guid.NewGuid().ToString("N")[..8];
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Tool.RunAsync("sh", ["-c", $"sleep 300 & exec -a {marker} sleep 300"], cancel.Token));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(HostProcesses.AllPids(), p => HostProcesses.CommandLine(p).FirstOrDefault() == marker);
    }

    [Fact]
    public void A_held_lock_is_refused_until_released()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bridge-lock-{Guid.NewGuid():N}");
        try
        {
            using (var held = FileLock.Acquire(path, TimeSpan.FromSeconds(1)))
            {
                Assert.Null(FileLock.TryAcquire(path));
                Assert.Throws<LockTimeoutException>(() => FileLock.Acquire(path, TimeSpan.FromMilliseconds(100)));
            }
            using var again = FileLock.TryAcquire(path);
            Assert.NotNull(again);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
