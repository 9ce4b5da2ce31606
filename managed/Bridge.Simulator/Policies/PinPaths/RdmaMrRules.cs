using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Policies;

/// <summary>ibv_reg_mr (drivers/infiniband/core/umem.c ib_umem_get → FOLL_LONGTERM, FOLL_WRITE unless remote-read
/// only) in every era: allowed everywhere until 6.5 refused writable pins of dirty-tracked file mappings;
/// deregistering a writable region dirties its pages.</summary>
internal sealed class RdmaMrRules : IPinPathRules
{
    private const string Umem50 = "drivers/infiniband/core/umem.c ib_umem_get (v5.0): get_user_pages_longterm(FOLL_WRITE, or FOLL_FORCE when the MR is not writable); mm/gup.c get_user_pages_longterm (v4.15-v5.1) refuses FS-DAX VMAs only";
    private const string Umem61 = "drivers/infiniband/core/umem.c ib_umem_get (v6.1): pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM, FOLL_FORCE when not writable until b40656aa7d55 in v6.2); mm/gup.c check_vma_flags (v6.1) has no file-backed check";
    private const string Umem65 = "drivers/infiniband/core/umem.c ib_umem_get (v6.12): pin_user_pages_fast(FOLL_LONGTERM | FOLL_WRITE if writable)";

    public PinPathInfo Path => PinPathTable.RdmaMr;

    public IEnumerable<PolicyRow> RowsFor(Era era) => era switch
    {
        Era.Legacy2019 =>
        [
            .. Everywhere(Umem50),
            new UnpinRow(Path, true, "drivers/infiniband/core/umem.c __ib_umem_release (v5.0): set_page_dirty_lock() when umem->writable && dirty, then put_page()"),
        ],
        Era.Linux61 =>
        [
            .. Everywhere(Umem61),
            new UnpinRow(Path, true, "drivers/infiniband/core/umem.c __ib_umem_release (v6.1): unpin_user_page_range_dirty_lock(…, make_dirty = umem->writable && dirty)"),
        ],
        Era.Linux65Plus =>
        [
            new PinRow(Path, MemoryClass.FileShared, true, "EFAULT", false, $"{Umem65}; {GupRules.WritableFileMapping}: shared, writable and the filesystem writes back → -EFAULT before any fault"),
            new PinRow(Path, MemoryClass.FileShared, false, null, false, $"{Umem65}; {GupRules.WritableFileMapping}: no FOLL_WRITE, so writable_file_mapping_allowed is not asked"),
            .. Enum.GetValues<MemoryClass>().Where(m => m != MemoryClass.FileShared).SelectMany(m => new PolicyRow[]
            {
                new PinRow(Path, m, true, null, false, $"{Umem65}; {GupRules.WritableFileMapping}: vma_needs_dirty_tracking() is false (not VM_SHARED|VM_WRITE, or shmem/hugetlbfs cannot write back)"),
                new PinRow(Path, m, false, null, false, $"{Umem65}: read-only pin"),
            }),
            new UnpinRow(Path, true, "drivers/infiniband/core/umem.c __ib_umem_release (v6.12): unpin_user_page_range_dirty_lock(…, make_dirty = umem->writable && dirty)"),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(era), era, null),
    };

    /// <summary>Before 6.5 nothing in GUP or umem looks at what backs the range: every pin is taken.</summary>
    private IEnumerable<PolicyRow> Everywhere(string models) =>
        Enum.GetValues<MemoryClass>().SelectMany(m => new PolicyRow[]
        {
            new PinRow(Path, m, true, null, false, models),
            new PinRow(Path, m, false, null, false, models),
        });
}
