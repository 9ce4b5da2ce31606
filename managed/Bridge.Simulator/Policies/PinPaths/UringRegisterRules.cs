using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Policies;

/// <summary>io_uring_register_buffers (FOLL_WRITE | FOLL_LONGTERM) in every era: io_uring's own VMA check (which
/// faults the pages in first, then refuses) until 6.5 delegated the check to GUP; unregistering never dirties.</summary>
internal sealed class UringRegisterRules : IPinPathRules
{
    private const string Uring51 = "fs/io_uring.c io_sqe_buffer_register (v5.1): get_user_pages(FOLL_WRITE | FOLL_LONGTERM) first, then -EOPNOTSUPP for vma->vm_file && !is_file_hugepages(vma->vm_file)";
    private const string Uring51Ok = "fs/io_uring.c io_sqe_buffer_register (v5.1): no vm_file, or is_file_hugepages(): the buffer is registered";
    private const string Uring61 = "io_uring/rsrc.c io_pin_pages (v6.1): pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) first, then vm_file && !vma_is_shmem && !is_file_hugepages → -EOPNOTSUPP";
    private const string Uring61Ok = "io_uring/rsrc.c io_pin_pages (v6.1): anonymous, vma_is_shmem() or is_file_hugepages(): registered";
    private const string Uring65 = "io_uring/rsrc.c io_pin_pages (v6.5+): the VMA check is gone ('io_uring: rsrc: delegate VMA file-backed check to GUP'); pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) decides";

    public PinPathInfo Path => PinPathTable.UringRegister;

    public IEnumerable<PolicyRow> RowsFor(Era era) => era switch
    {
        Era.Legacy2019 =>
        [
            Pin(era, MemoryClass.FileShared, "EOPNOTSUPP", Uring51),
            Pin(era, MemoryClass.FilePrivate, "EOPNOTSUPP", Uring51),
            Pin(era, MemoryClass.ShmemShared, "EOPNOTSUPP", Uring51 + " (shmem is not exempt before vma_is_shmem was added)"),
            Pin(era, MemoryClass.ShmemPrivate, "EOPNOTSUPP", Uring51 + " (shmem is not exempt before vma_is_shmem was added)"),
            Pin(era, MemoryClass.AnonShared, "EOPNOTSUPP", Uring51 + " (MAP_SHARED|MAP_ANONYMOUS has a shmem vm_file)"),
            Pin(era, MemoryClass.Hugetlb, null, Uring51Ok),
            Pin(era, MemoryClass.AnonPrivate, null, Uring51Ok),
            new UnpinRow(Path, false, "fs/io_uring.c io_sqe_buffer_unregister (v5.1): put_page() only"),
        ],
        Era.Linux61 =>
        [
            Pin(era, MemoryClass.FileShared, "EOPNOTSUPP", Uring61),
            Pin(era, MemoryClass.FilePrivate, "EOPNOTSUPP", Uring61),
            Pin(era, MemoryClass.ShmemShared, null, Uring61Ok),
            Pin(era, MemoryClass.ShmemPrivate, null, Uring61Ok),
            Pin(era, MemoryClass.AnonShared, null, Uring61Ok),
            Pin(era, MemoryClass.Hugetlb, null, Uring61Ok),
            Pin(era, MemoryClass.AnonPrivate, null, Uring61Ok),
            new UnpinRow(Path, false, "io_uring/rsrc.c io_buffer_unmap (v6.1): unpin_user_page() only"),
        ],
        Era.Linux65Plus =>
        [
            Pin(era, MemoryClass.FileShared, "EFAULT", $"{Uring65}; {GupRules.WritableFileMapping} → -EFAULT"),
            .. Enum.GetValues<MemoryClass>().Where(m => m != MemoryClass.FileShared).Select(m =>
                Pin(era, m, null, $"{Uring65}; {GupRules.WritableFileMapping}: no dirty tracking needed → allowed (a private file mapping breaks COW)")),
            new UnpinRow(Path, false, "io_uring/rsrc.c io_buffer_unmap (v6.12): unpin_user_folio()/unpin_user_page() without dirtying"),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(era), era, null),
    };

    /// <summary>io_uring always pins for writing. Before 6.5 io_uring's own VMA check runs after GUP faulted the pages
    /// in for writing, so a refusal there comes with the pages dirtied; from 6.5 GUP refuses before any fault.</summary>
    private PinRow Pin(Era era, MemoryClass memory, string? errno, string models) =>
        new(Path, memory, true, errno, errno is not null && era < Era.Linux65Plus, models);
}
