using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Policies;

/// <summary>One rule of a kernel policy. <see cref="Models"/> names the kernel code the row models (file,
/// function, version or commit), so that a reader can check the row against the source.</summary>
public abstract record PolicyRow(string Models)
{
    /// <summary>The row's key: two rows of one policy never share it.</summary>
    public abstract string Key { get; }

    /// <summary>The row's value as printed (allow, EFAULT, on, off, oops …).</summary>
    public abstract string Value { get; }

    /// <summary>The same row with the opposite (or next) value: what a test flips to prove the row matters.</summary>
    public abstract PolicyRow Flipped();

    // sealed: otherwise each derived record synthesizes its own ToString and this format is never used.
    public sealed override string ToString() => $"{Key} = {Value}  [{Models}]";
}

/// <summary>Whether a long-term pin of <see cref="Memory"/> through <see cref="Path"/> is taken, and if not, which
/// errno the registration returns. <see cref="FaultsFirst"/>: the refusal comes after GUP already faulted the
/// pages in for writing (io_uring's own VMA check before 6.5), so the pages are dirtied even though the call fails.</summary>
public sealed record PinRow(PinPathInfo Path, MemoryClass Memory, bool Writable, string? Errno, bool FaultsFirst, string Models) : PolicyRow(Models)
{
    public override string Key => $"pin {Path.Name} {Memory.Name()} {(Writable ? "writable" : "read-only")}";
    public override string Value => Errno ?? "allow";
    public override PolicyRow Flipped() => this with { Errno = Errno is null ? "EPERM" : null, FaultsFirst = false };
}

/// <summary>An on/off behaviour of the kernel (see <see cref="Switch"/>).</summary>
public sealed record SwitchRow(Switch Switch, bool On, string Models) : PolicyRow(Models)
{
    public override string Key => Switches.Name(Switch);
    public override string Value => On ? "on" : "off";
    public override PolicyRow Flipped() => this with { On = !On };
}

/// <summary>Whether releasing a long-term pin through <see cref="Path"/> marks the pages dirty (set_page_dirty_lock /
/// unpin_user_pages_dirty_lock with make_dirty) when the pin was writable.</summary>
public sealed record UnpinRow(PinPathInfo Path, bool MarksDirty, string Models) : PolicyRow(Models)
{
    public override string Key => $"unpin {Path.Name} marks dirty";
    public override string Value => MarksDirty ? "on" : "off";
    public override PolicyRow Flipped() => this with { MarksDirty = !MarksDirty };
}

/// <summary>What the filesystem's writeback does with a dirty page that has no buffers attached (someone called
/// set_page_dirty after reclaim or invalidation stripped them — the seed thread's "kernel bugs of the form").</summary>
public enum BufferlessAction
{
    /// <summary>Writes it like any dirty page.</summary>
    WriteBack,
    /// <summary>BUG(): the writeback task dies with the page locked; the log holds the oops.</summary>
    Oops,
    /// <summary>Logs a warning, clears the dirty bit and skips the page: its data never reaches the disk.</summary>
    WarnAndDrop,
}

/// <summary>The writeback behaviour for buffer-less dirty pages of one filesystem type, with the log text it prints.</summary>
public sealed record BufferlessRow(string FsType, BufferlessAction Action, IReadOnlyList<string> Log, string Models) : PolicyRow(Models)
{
    public override string Key => $"dirty page without buffers on {FsType}";
    public override string Value => Action switch { BufferlessAction.Oops => "oops", BufferlessAction.WarnAndDrop => "warn-and-drop", _ => "write-back" };
    public override PolicyRow Flipped() => this with { Action = Action == BufferlessAction.Oops ? BufferlessAction.WarnAndDrop : BufferlessAction.Oops };
}
