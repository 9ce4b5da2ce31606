namespace Bridge.Simulator.Policies;

/// <summary>The kernel eras the simulator models. Each era's table (<see cref="PolicyCatalog"/>) holds its switches and
/// filesystem rows; every pin path answers for every era in its own rules file (<see cref="IPinPathRules"/>), so a new
/// era is a compile error in every pin path until it says what the path does there.</summary>
public enum Era
{
    /// <summary>v5.0/v5.1: the kernel of the 2019 put_user_page() thread.</summary>
    Legacy2019,
    /// <summary>v6.1: FOLL_PIN accounting, writeback still cleans pinned pages.</summary>
    Linux61,
    /// <summary>v6.5 and later (measured: 6.12, 6.18): writable long-term pins of dirty-tracked file mappings refused.</summary>
    Linux65Plus,
}
