using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Model;

/// <summary>A registered buffer / memory region: the frames GUP returned, by page index, held until unpin.</summary>
public sealed class LongTermPin(PinPathInfo path, bool writable, Dictionary<int, Frame> frames)
{
    public PinPathInfo Path { get; } = path;
    public bool Writable { get; } = writable;
    public Dictionary<int, Frame> Frames { get; } = frames;
}
