using Bridge.Core.Observations;

namespace Bridge.Linux.Execution;

/// <summary>Where a scenario stopped for a power cut, and what the boot after it needs to go on
/// (<see cref="ScenarioRunner.Resume"/>).</summary>
/// <param name="CutAt">The crash step.</param>
/// <param name="RunId">The scenario's run id: its blocks carry it.</param>
/// <param name="Before">The results of every step up to the crash step.</param>
/// <param name="Directory">The scenario's directory (its data file, source and output files), relative to its
/// filesystem's mount point.</param>
/// <param name="Devices">The scratch disk each filesystem of the run is on, by filesystem type.</param>
public sealed record PowerCutPoint(int CutAt, ulong RunId, IReadOnlyList<StepResult> Before, string Directory, IReadOnlyDictionary<string, string> Devices);
