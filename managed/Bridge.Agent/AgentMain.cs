namespace Bridge.Agent;

/// <summary>What <c>pinbridge agent</c> and the guest's native <c>pinbridge-agent</c> both do with their options:
/// read the request, stream the run to standard output or <paramref name="output"/>, exit with the run's code.</summary>
public static class AgentMain
{
    /// <param name="request">The request JSON file, or "-" for standard input.</param>
    /// <param name="output">Where to stream results (a virtio-serial port, a file); null for standard output.</param>
    /// <param name="untilStdinCloses">Stop when standard input closes (<see cref="AgentRunner.ExitWhenStdinCloses"/>).</param>
    /// <exception cref="ArgumentException">--until-stdin-closes with the request on standard input.</exception>
    public static int Run(string request, string? output, bool untilStdinCloses, CancellationToken ct)
    {
        _ = AgentProtocol.PrepareAsync(); // on another CPU, while the request is read and decoded
        if (untilStdinCloses)
        {
            if (request == "-")
                throw new ArgumentException("--until-stdin-closes needs --request FILE: standard input is the harness's lifeline, not the request");
            AgentRunner.ExitWhenStdinCloses();
        }
        var json = request == "-" ? Console.In.ReadToEnd() : File.ReadAllText(request);
        using var writer = output is null ? null : new StreamWriter(File.Open(output, FileMode.Append, FileAccess.Write));
        return AgentRunner.Run(AgentProtocol.DecodeRequest(json), writer ?? Console.Out, ct);
    }
}
