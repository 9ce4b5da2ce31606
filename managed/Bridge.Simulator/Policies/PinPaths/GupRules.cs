namespace Bridge.Simulator.Policies;

/// <summary>The GUP rules every long-term pin path goes through, cited by each path's rows.</summary>
internal static class GupRules
{
    /// <summary>6.5+: FOLL_LONGTERM | FOLL_WRITE of a shared mapping whose filesystem writes back is refused.</summary>
    public const string WritableFileMapping = "mm/gup.c check_vma_flags → writable_file_mapping_allowed → vma_needs_dirty_tracking (8ac268436e6d, a6e79df92e4a, v6.5)";
}
