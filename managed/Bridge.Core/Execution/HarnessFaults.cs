namespace Bridge.Core.Execution;

/// <summary>
/// Calls an executor does not attempt because they would fault the harness itself rather than ask the kernel
/// anything: the real executor's process would take SIGSEGV or SIGBUS, and the model declines the same calls. A
/// racing step meets them mid-race too (a racing mprotect), so the executor decides, with one wording for both.
/// </summary>
public static class HarnessFaults
{
    public const string StoreIntoReadOnlyMapping = "the mapping is read-only; a CPU store would SIGSEGV";

    public static string PastEndOfFile(int block, int fileBlocks) =>
        $"block {block} {PastEndOfFileMark} ({fileBlocks} blocks): touching it through the mapping would SIGBUS";

    /// <summary>What every <see cref="PastEndOfFile"/> says, to recognise one.</summary>
    public const string PastEndOfFileMark = "is past end of file";
}
