using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Model;

/// <summary>A registered buffer / memory region: the frames GUP returned, by page index, held until unpin.</summary>
public sealed class LongTermPin(PinPathInfo path, PinAccess access, Dictionary<int, Frame> frames)
{
    public PinPathInfo Path { get; } = path;
    public PinAccess Access { get; } = access;
    public bool Writable => PinPathInfo.IsWritable(Access);

    /// <summary>Whether the device may write through it (the path's <see cref="PinPathInfo.DeviceWriteNeeds"/>).</summary>
    public bool DeviceMayWrite => PinPathInfo.Allows(Access, Path.DeviceWriteNeeds);

    /// <summary>Whether the device may read through it (the path's <see cref="PinPathInfo.DeviceReadNeeds"/>).</summary>
    public bool DeviceMayRead => PinPathInfo.Allows(Access, Path.DeviceReadNeeds);
    public Dictionary<int, Frame> Frames { get; } = frames;
}
