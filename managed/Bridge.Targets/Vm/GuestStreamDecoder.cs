using System.Text;

namespace Bridge.Targets.Vm;

/// <summary>
/// Splits one guest output stream (bytes from a virtio-serial port) into lines and finds its end. After the command
/// exits, init writes "\n" + END + "\n": the leading newline terminates a last line that had none, so END always
/// stands on a line of its own; when the output did end in a newline, that newline turns into one surplus empty
/// line just before END, which is dropped. So every empty line is held back until the next line shows whether it
/// was the surplus one. Pure: the tests feed it byte by byte.
/// </summary>
internal sealed class GuestStreamDecoder(string endMark)
{
    private readonly List<byte> _partial = [];
    private bool _heldEmpty;

    /// <summary>The end mark was seen: everything the command wrote has been decoded.</summary>
    public bool Ended { get; private set; }

    /// <summary>Decodes a chunk; returns the lines it completed (nothing after the end mark).</summary>
    public IReadOnlyList<string> Feed(ReadOnlySpan<byte> chunk)
    {
        var lines = new List<string>();
        foreach (var b in chunk)
        {
            if (Ended)
                break;
            if (b != (byte)'\n')
            {
                _partial.Add(b);
                continue;
            }
            var line = Encoding.UTF8.GetString([.. _partial]);
            _partial.Clear();
            Complete(line, lines);
        }
        return lines;
    }

    /// <summary>The stream closed (the VM stopped). Without an end mark — a panic, a kill — whatever is held back or
    /// half-written is output the command produced and is returned as well.</summary>
    public IReadOnlyList<string> Close()
    {
        var lines = new List<string>();
        if (Ended)
            return lines;
        if (_heldEmpty)
            lines.Add("");
        _heldEmpty = false;
        if (_partial.Count > 0)
            lines.Add(Encoding.UTF8.GetString([.. _partial]));
        _partial.Clear();
        return lines;
    }

    private void Complete(string line, List<string> lines)
    {
        if (line == endMark)
        {
            Ended = true;
            _heldEmpty = false;
            return;
        }
        if (_heldEmpty)
            lines.Add("");
        _heldEmpty = line.Length == 0;
        if (!_heldEmpty)
            lines.Add(line);
    }
}
