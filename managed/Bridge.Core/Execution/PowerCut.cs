using Bridge.Core.Scenarios;

namespace Bridge.Core.Execution;

/// <summary>
/// How an executor cuts the power at a step that does (<see cref="VerbInfo.CutsPower"/>: <c>crash</c>). What a power
/// cut means to the contract is the same everywhere: the page cache, the mapping, the pin and every write no
/// persistence point made durable may be gone; the file is what the disk kept, read again after a reboot (mount,
/// journal replay). So after a power cut a check reads the disk view of every file and no mapping
/// (<see cref="CheckPlan.AfterPowerCut"/>), and no later step may need the mapping or the pin (the parser says so).
/// </summary>
public enum PowerCut
{
    /// <summary>It cannot (the host, a container): a scenario with a crash step is skipped with <see cref="Sequencer.NeedsPowerCut"/>.</summary>
    None,

    /// <summary>The crash step's handler drops what a power cut loses, and the steps after it run on in the same
    /// sequence (the simulator: only persisted state remains).</summary>
    InPlace,

    /// <summary>The crash step's handler only notes the moment; the sequence stops after it
    /// (<see cref="Sequence.PowerCutAt"/>), the caller reports what ran and cuts the power, and the steps after it run
    /// on the next boot through <see cref="Sequencer.Resume"/> (a VM: qemu killed, booted again on the same disks).</summary>
    NextBoot,
}
