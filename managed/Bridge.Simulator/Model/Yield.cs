namespace Bridge.Simulator.Model;

/// <summary>A point where a racing thread may be preempted. Kernel operations are iterators that yield one at
/// every place another thread (or the device) could interleave: between pages, between sectors of an I/O.</summary>
public enum Yield : byte
{
    Preempt,
}
