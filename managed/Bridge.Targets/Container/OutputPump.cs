using System.Text;
using Docker.DotNet;

namespace Bridge.Targets.Container;

/// <summary>Reads a container's multiplexed stdout/stderr as it arrives, splits each stream into lines (UTF-8 across
/// frame boundaries), hands them to a callback and keeps the last ones.</summary>
/// <param name="maxLineChars">A line longer than this (a progress bar redrawn with \r, a binary blob) is delivered
/// in pieces; an agent's observation lines need far more than a log line.</param>
internal sealed class OutputPump(int tailLines, Action<OutputLine>? onLine, int maxLineChars)
{
    private readonly Queue<OutputLine> _tail = new();
    private readonly LineSplitter _stdout = new(OutputStream.StdOut, maxLineChars);
    private readonly LineSplitter _stderr = new(OutputStream.StdErr, maxLineChars);

    public IReadOnlyList<OutputLine> Tail
    {
        get
        {
            lock (_tail)
                return [.. _tail];
        }
    }

    public async Task RunAsync(MultiplexedStream stream, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct);
            if (read.EOF)
                break;
            var splitter = read.Target == MultiplexedStream.TargetStream.StandardError ? _stderr : _stdout;
            splitter.Push(buffer.AsSpan(0, read.Count), Emit);
        }
        _stdout.Flush(Emit);
        _stderr.Flush(Emit);
    }

    private void Emit(OutputLine line)
    {
        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > tailLines)
                _tail.Dequeue();
        }
        onLine?.Invoke(line);
    }

    private sealed class LineSplitter(OutputStream stream, int maxLineChars)
    {
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        private readonly StringBuilder _line = new();
        private char[] _chars = new char[4096];

        public void Push(ReadOnlySpan<byte> bytes, Action<OutputLine> emit)
        {
            var needed = _decoder.GetCharCount(bytes, flush: false);
            if (_chars.Length < needed)
                _chars = new char[needed];
            var count = _decoder.GetChars(bytes, _chars, flush: false);
            foreach (var c in _chars.AsSpan(0, count))
            {
                if (c == '\n')
                    EmitLine(emit);
                else if (_line.Length >= maxLineChars)
                {
                    EmitLine(emit);
                    _line.Append(c);
                }
                else
                    _line.Append(c);
            }
        }

        public void Flush(Action<OutputLine> emit)
        {
            var count = _decoder.GetChars([], _chars, flush: true);
            _line.Append(_chars, 0, count);
            if (_line.Length > 0)
                EmitLine(emit);
        }

        private void EmitLine(Action<OutputLine> emit)
        {
            var length = _line.Length > 0 && _line[^1] == '\r' ? _line.Length - 1 : _line.Length;
            var text = _line.ToString(0, length);
            _line.Clear();
            emit(new OutputLine(stream, text));
        }
    }
}
