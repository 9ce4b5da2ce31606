using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Bridge.Targets.Vm;

/// <summary>
/// The host end of the guest's four virtio-serial ports (see containers/vm/init.sh): one unix socket per port in
/// the run directory, listened on before qemu starts; qemu connects to each as a client when it creates the
/// chardev, so nothing the guest writes can be sent before the host is there to read it. Readers drain the
/// sockets as fast as qemu delivers — lines queue here, never in qemu — so a panic loses nothing already written.
/// The command's standard input streams the other way, as the guest reads it (a pipe, a file, a tty: bytes, not text).
/// </summary>
internal sealed class GuestChannel : IAsyncDisposable
{
    public const string Control = "ctl";
    public const string Stdout = "out";
    public const string Stderr = "err";
    public const string Stdin = "in";
    public static readonly IReadOnlyList<string> Names = [Control, Stdout, Stderr, Stdin];

    private readonly string _directory;
    private readonly string _endMark;
    private readonly Stream? _standardInput;
    private readonly CancellationTokenSource _inputEnd = new();
    private readonly Dictionary<string, Socket> _listeners = [];
    private readonly List<Socket> _connections = [];
    private readonly Channel<GuestLine> _lines = Channel.CreateUnbounded<GuestLine>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _guestError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exitStatus = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _streamsEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Accepting (one task) and draining or disposing (another) meet here; _sync guards both lists.
    private readonly List<Task> _readers = [];
    private readonly Lock _sync = new();
    private long _lastOutput = Stopwatch.GetTimestamp();
    private int _streamsDone;
    private bool _disposed;

    public GuestChannel(string directory, string endMark, Stream? standardInput)
    {
        _directory = directory;
        _endMark = endMark;
        _standardInput = standardInput;
        foreach (var name in Names)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(SocketPath(name)));
            socket.Listen(1);
            _listeners[name] = socket;
        }
    }

    public string SocketPath(string name) => Path.Combine(_directory, $"{name}.sock");

    /// <summary>Completes with the guest's release when init has set up and is about to start the command.</summary>
    public Task<string> Ready => _ready.Task;

    /// <summary>Completes with init's message when it could not set up (modules, 9p, ports, disks).</summary>
    public Task<string> GuestError => _guestError.Task;

    /// <summary>Completes with the command's exit status.</summary>
    public Task<int> ExitStatus => _exitStatus.Task;

    /// <summary>Completes when stdout and stderr have each reached their end mark or closed: no more lines come.</summary>
    public Task StreamsEnded => _streamsEnded.Task;

    /// <summary>Time since the command last wrote anything, counted from init's "ready" before its first output.</summary>
    public TimeSpan SinceLastOutput => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastOutput));

    /// <summary>The command's output lines, completed when both streams ended or closed.</summary>
    public ChannelReader<GuestLine> Lines => _lines.Reader;

    /// <summary>Waits for qemu to connect to every port and starts reading them.</summary>
    public async Task AcceptAsync(CancellationToken ct)
    {
        foreach (var name in Names)
        {
            var connection = await _listeners[name].AcceptAsync(ct);
            lock (_sync)
            {
                if (_disposed)
                {
                    connection.Dispose();
                    return;
                }
                _connections.Add(connection);
                // The input pump is not a reader: the run does not wait for a user's stdin to end.
                if (name == Stdin)
                    _ = Task.Run(() => WriteInputAsync(connection), CancellationToken.None);
                else
                    _readers.Add(name == Control
                        ? Task.Run(() => ReadControlAsync(connection), CancellationToken.None)
                        : Task.Run(() => ReadStreamAsync(connection, name == Stdout ? GuestStream.Stdout : GuestStream.Stderr), CancellationToken.None));
            }
        }
    }

    /// <summary>Tells init the host has everything, so it may power off.</summary>
    public async Task AcknowledgeAsync()
    {
        Socket control;
        lock (_sync)
        {
            if (_connections.Count == 0)
                return;
            control = _connections[0]; // accepted first: Names starts with Control
        }
        try
        {
            await control.SendAsync("ack\n"u8.ToArray(), SocketFlags.None);
        }
        catch (SocketException)
        {
            // The guest is gone already; it no longer needs the acknowledgement.
        }
    }

    /// <summary>Waits until every port reached end of file (qemu exited) or the time is up.</summary>
    public async Task DrainAsync(TimeSpan limit)
    {
        await Task.WhenAny(Task.WhenAll(Readers()), Task.Delay(limit));
        _lines.Writer.TryComplete();
    }

    private Task[] Readers()
    {
        lock (_sync)
            return [.. _readers];
    }

    private async Task ReadControlAsync(Socket socket)
    {
        var buffer = new byte[4096];
        var pending = new StringBuilder();
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None) is var read and > 0)
            {
                pending.Append(Encoding.UTF8.GetString(buffer, 0, read));
                for (var text = pending.ToString(); text.IndexOf('\n') is var end and >= 0; text = pending.ToString())
                {
                    OnControl(text[..end].TrimEnd('\r'));
                    pending.Remove(0, end + 1);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The VM stopped: end of the control stream.
        }
    }

    private void OnControl(string message)
    {
        var (verb, rest) = message.IndexOf(' ') is var space and > 0 ? (message[..space], message[(space + 1)..]) : (message, "");
        switch (verb)
        {
            case "ready":
                Interlocked.Exchange(ref _lastOutput, Stopwatch.GetTimestamp());
                _ready.TrySetResult(rest);
                break;
            case "error":
                _guestError.TrySetResult(rest);
                break;
            case "exit" when int.TryParse(rest, out var status):
                _exitStatus.TrySetResult(status);
                break;
        }
    }

    /// <summary>Copies the standard input to the guest as it reads it, then half-closes the socket: qemu forwards
    /// what is queued and only then sees end of file and tells the guest (a full close is a hang-up that may drop
    /// bytes qemu has not read yet, while the guest has not opened the port).</summary>
    private async Task WriteInputAsync(Socket socket)
    {
        try
        {
            if (_standardInput is not null)
            {
                var buffer = new byte[64 * 1024];
                while (await _standardInput.ReadAsync(buffer, _inputEnd.Token) is var read and > 0)
                    await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _inputEnd.Token);
            }
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The run ended first (the command exited without reading all of it, or the VM stopped).
        }
    }

    private async Task ReadStreamAsync(Socket socket, GuestStream stream)
    {
        var decoder = new GuestStreamDecoder(_endMark);
        var buffer = new byte[64 * 1024];
        var produced = true;
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None) is var read and > 0)
            {
                if (decoder.Ended)
                    continue; // keep draining so qemu never blocks on this port
                Interlocked.Exchange(ref _lastOutput, Stopwatch.GetTimestamp());
                foreach (var line in decoder.Feed(buffer.AsSpan(0, read)))
                    _lines.Writer.TryWrite(new GuestLine(stream, line));
                if (decoder.Ended)
                    StreamDone(ref produced);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The VM stopped: treated as end of file.
        }
        foreach (var line in decoder.Close())
            _lines.Writer.TryWrite(new GuestLine(stream, line));
        StreamDone(ref produced);
    }

    private void StreamDone(ref bool producing)
    {
        if (!producing)
            return;
        producing = false;
        if (Interlocked.Increment(ref _streamsDone) == 2)
        {
            _streamsEnded.TrySetResult();
            _lines.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Socket> sockets;
        lock (_sync)
        {
            _disposed = true;
            sockets = [.. _listeners.Values, .. _connections];
        }
        await _inputEnd.CancelAsync();
        foreach (var socket in sockets)
            socket.Dispose();
        await Task.WhenAll(Readers());
        _lines.Writer.TryComplete();
        _inputEnd.Dispose();
    }
}
