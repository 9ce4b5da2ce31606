using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Policies;

/// <summary>What a pinned range is, in the terms the kernel's pin rules turn on: is there a file behind the VMA,
/// does that file need dirty tracking (vma_needs_dirty_tracking), is the mapping shared.</summary>
public enum MemoryClass
{
    /// <summary>MAP_SHARED of a file on ext4/xfs/btrfs: shared, writable, the filesystem writes back.</summary>
    FileShared,
    /// <summary>MAP_PRIVATE of a file on ext4/xfs/btrfs: a COW mapping; writes go to anonymous copies.</summary>
    FilePrivate,
    /// <summary>MAP_SHARED of a tmpfs file or memfd (shmem_vm_ops; no writeback).</summary>
    ShmemShared,
    /// <summary>MAP_PRIVATE of a tmpfs file or memfd.</summary>
    ShmemPrivate,
    /// <summary>A hugetlbfs file or MFD_HUGETLB memfd, either mapping kind.</summary>
    Hugetlb,
    /// <summary>MAP_PRIVATE | MAP_ANONYMOUS: no file.</summary>
    AnonPrivate,
    /// <summary>MAP_SHARED | MAP_ANONYMOUS: the kernel backs it with an internal shmem file (vm_file is set).</summary>
    AnonShared,
}

public static class MemoryClasses
{
    public static MemoryClass Of(BackingKind backing, MapKind map) => (backing, map) switch
    {
        (BackingKind.DiskFs, MapKind.Shared) => MemoryClass.FileShared,
        (BackingKind.DiskFs, MapKind.Private) => MemoryClass.FilePrivate,
        (BackingKind.Shmem, MapKind.Shared) => MemoryClass.ShmemShared,
        (BackingKind.Shmem, MapKind.Private) => MemoryClass.ShmemPrivate,
        (BackingKind.Hugetlb, _) => MemoryClass.Hugetlb,
        (BackingKind.Anon, MapKind.Shared) => MemoryClass.AnonShared,
        _ => MemoryClass.AnonPrivate,
    };

    public static MemoryClass Of(Scenario scenario) => Of(scenario.Backing.Kind, scenario.Map);

    /// <summary>kebab-case, as rows are printed.</summary>
    public static string Name(this MemoryClass c) => c switch
    {
        MemoryClass.FileShared => "file-shared",
        MemoryClass.FilePrivate => "file-private",
        MemoryClass.ShmemShared => "shmem-shared",
        MemoryClass.ShmemPrivate => "shmem-private",
        MemoryClass.Hugetlb => "hugetlb",
        MemoryClass.AnonPrivate => "anon-private",
        _ => "anon-shared",
    };
}
