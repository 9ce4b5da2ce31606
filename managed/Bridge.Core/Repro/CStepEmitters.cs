using Bridge.Core.Execution;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Repro;

/// <summary>What an emitter knows of the step whose C function it writes: the step, and the C names the
/// generator gave its block runs and output file.</summary>
/// <param name="Runs">The C array of the step's block runs (<c>struct run</c>; written only when the body uses it).</param>
/// <param name="RunCount">How many runs it holds.</param>
/// <param name="Output">The index of the step's output file in <c>S.outputs</c>, when it names one.</param>
/// <param name="PinPath">The pin path of the scenario (dma, dma-read go through it).</param>
/// <param name="AfterPowerCut">For a step that cuts the power: what the data file may hold after it, in the text form
/// of <c>pinbridge check --expect</c> without the run id.</param>
internal sealed record CStep(Step Step, string Runs, int RunCount, int Output, PinPathInfo? PinPath, string? AfterPowerCut = null)
{
    public int Index => Step.Index;

    /// <summary>A loop over the step's runs with <paramref name="body"/> inside (<c>@R</c> is the run) (<c>r</c> is the result so far;
    /// the loop stops at the first failure).</summary>
    public string OverRuns(string body) =>
        $"\tfor (int i = 0; i < {RunCount} && !r; i++)\n\t\tr = {body.Replace("@R", $"{Runs}[i]", StringComparison.Ordinal)};\n";

    public string Stamp(string writer) =>
        $"\tconst struct stamp st = {{.gen = {Step.Gen}, .iteration = iteration, .step = {Index}, .writer = {writer}}};\n";
}

/// <summary>
/// The C body of every verb's step function (<c>static long step_N(uint32_t iteration)</c>, returning 0, -errno, or
/// NOT_RUN), keyed by the verb's row like every executor's handlers — building the table fails when a verb has no
/// emitter. Each makes the calls Bridge.Linux's handler for the verb makes (Linux/Execution/StepHandlers.cs,
/// PinSteps.cs, UringSteps.cs, ForkSteps.cs; native/*.c), one call per run of consecutive blocks.
/// </summary>
public static class CStepEmitters
{
    private const string Persist = "{0} ? -errno : 0";

    internal static readonly VerbTable<Func<CStep, string>> All = new("pinbridge repro", [
        (Verbs.Store, s => s.Stamp(CWriters.Cpu) +
            "\tpthread_rwlock_rdlock(&S.mapping_change);\n" +
            "\tif (S.map_gone || S.map_read_only) { /* a racing mprotect or munmap landed first: the store would fault */\n" +
            "\t\tpthread_rwlock_unlock(&S.mapping_change);\n\t\treturn NOT_RUN;\n\t}\n" +
            $"\tfor (int i = 0; i < {s.RunCount}; i++)\n" +
            $"\t\tfor (int b = {s.Runs}[i].first; b < {s.Runs}[i].first + {s.Runs}[i].count; b++)\n" +
            "\t\t\tstamp_block(S.map + OFFSET(b), b, &st); /* CPU stores, sector by sector */\n" +
            "\tpthread_rwlock_unlock(&S.mapping_change);\n" +
            "\treturn 0;\n"),
        (Verbs.ODirectRead, s => s.Stamp(CWriters.ODirect) +
            $"\tlong r = prepare_source({s.Index}, {s.Runs}, {s.RunCount}, &st);\n" +
            "\t/* pread(O_DIRECT) INTO the mapping: GUP pins the mapped pages for the I/O, the bio dirties them */\n" +
            s.OverRuns($"complete(pread(S.sources[{s.Index}].fd, S.map + OFFSET(@R.first), RUN_LEN(@R), OFFSET(@R.first)), RUN_LEN(@R))") +
            "\treturn r;\n"),
        (Verbs.UringRead, s => s.Stamp(CWriters.Uring) +
            $"\tlong r = prepare_source({s.Index}, {s.Runs}, {s.RunCount}, &st);\n" +
            s.OverRuns($"uring_io(&ring_{s.Index}.ring, &ring_{s.Index}.lock, URING_READV, S.sources[{s.Index}].fd, S.map + OFFSET(@R.first), RUN_LEN(@R), OFFSET(@R.first))") +
            "\treturn r;\n"),
        (Verbs.ODirectWrite, s => "\t(void)iteration;\n\tlong r = 0;\n\t/* pwrite(O_DIRECT) FROM the mapping */\n" +
            s.OverRuns($"complete(pwrite(S.outputs[{s.Output}].direct_fd, S.map + OFFSET(@R.first), RUN_LEN(@R), OFFSET(@R.first)), RUN_LEN(@R))") +
            "\treturn r;\n"),
        (Verbs.UringWrite, s => "\t(void)iteration;\n\tlong r = 0;\n" +
            s.OverRuns($"uring_io(&ring_{s.Index}.ring, &ring_{s.Index}.lock, URING_WRITEV, S.outputs[{s.Output}].direct_fd, S.map + OFFSET(@R.first), RUN_LEN(@R), OFFSET(@R.first))") +
            "\treturn r;\n"),
        (Verbs.Msync, s => "\t(void)iteration;\n\tlong r = 0;\n" +
            s.OverRuns($"msync(S.map + OFFSET(@R.first), RUN_LEN(@R), {MsyncFlags(s.Step)}) ? -errno : 0") + "\treturn r;\n"),
        (Verbs.Fsync, _ => "\t(void)iteration;\n\treturn " + string.Format(Persist, "fsync(S.data_fd)") + ";\n"),
        (Verbs.Fdatasync, _ => "\t(void)iteration;\n\treturn " + string.Format(Persist, "fdatasync(S.data_fd)") + ";\n"),
        (Verbs.SyncFileRange, s => "\t(void)iteration;\n\tlong r = 0;\n" +
            s.OverRuns("sync_file_range(S.data_fd, OFFSET(@R.first), (off_t)RUN_LEN(@R), SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) ? -errno : 0") +
            "\treturn r;\n"),
        (Verbs.FadviseDontneed, s => "\t(void)iteration;\n\tlong r = 0;\n\t/* posix_fadvise returns the error number itself */\n" +
            s.OverRuns("-posix_fadvise(S.data_fd, OFFSET(@R.first), (off_t)RUN_LEN(@R), POSIX_FADV_DONTNEED)") + "\treturn r;\n"),
        (Verbs.DropCaches, _ => "\t(void)iteration;\n\treturn drop_caches();\n"),
        (Verbs.Mprotect, s => "\t(void)iteration;\n\tpthread_rwlock_wrlock(&S.mapping_change);\n" +
            $"\tlong r = mprotect(S.map, FILE_SIZE, {(s.Step.Args.Mode == "ro" ? "PROT_READ" : "PROT_READ | PROT_WRITE")}) ? -errno : 0;\n" +
            $"\tif (r == 0)\n\t\tS.map_read_only = {(s.Step.Args.Mode == "ro" ? 1 : 0)};\n" +
            "\tpthread_rwlock_unlock(&S.mapping_change);\n\treturn r;\n"),
        (Verbs.Truncate, s => $"\t(void)iteration;\n\treturn ftruncate(S.data_fd, {s.Step.Args.Size}) ? -errno : 0;\n"),
        (Verbs.Punch, s => "\t(void)iteration;\n\tlong r = 0;\n" +
            s.OverRuns("fallocate(S.data_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, OFFSET(@R.first), (off_t)RUN_LEN(@R)) ? -errno : 0") +
            "\treturn r;\n"),
        (Verbs.Pin, s => "\t(void)iteration;\n" +
            $"\treturn pin_take(S.map + OFFSET({s.Step.Blocks.First}), (size_t){s.Step.Blocks.Last - s.Step.Blocks.First + 1} * BLOCK_BYTES, " +
            $"{CPinPaths.For(s.Step.PinPath).Access(s.Step.Args.Access ?? s.Step.PinPath.DefaultAccess)});\n"),
        (Verbs.Unpin, _ => "\t(void)iteration;\n\treturn pin_release();\n"),
        (Verbs.Dma, s => s.Stamp(CWriters.Of(s.PinPath!.DeviceWriter)) +
            $"\tlong r = prepare_source({s.Index}, {s.Runs}, {s.RunCount}, &st);\n" +
            s.OverRuns($"device_write(&S.sources[{s.Index}], OFFSET(@R.first), RUN_LEN(@R))") + "\treturn r;\n"),
        (Verbs.DmaRead, s => "\t(void)iteration;\n\tlong r = 0;\n" +
            s.OverRuns($"device_read(&S.outputs[{s.Output}], OFFSET(@R.first), RUN_LEN(@R))") + "\treturn r;\n"),
        (Verbs.Fork, s => s.Stamp(CWriters.Cpu) +
            "\tuint8_t *staged = aligned_alloc_or_die(FILE_SIZE);\n" +
            $"\tfor (int i = 0; i < {s.RunCount}; i++)\n" +
            $"\t\tfor (int b = {s.Runs}[i].first; b < {s.Runs}[i].first + {s.Runs}[i].count; b++)\n" +
            "\t\t\tstamp_block(staged + OFFSET(b), b, &st);\n" +
            $"\tlong r = fork_and_store({s.Index}, staged, {s.Runs}, {s.RunCount});\n" +
            "\tfree(staged);\n\treturn r;\n"),
        (Verbs.Munmap, _ => "\t(void)iteration;\n\tpthread_rwlock_wrlock(&S.mapping_change);\n" +
            "\tlong r = munmap(S.map, FILE_SIZE) ? -errno : 0;\n\tif (r == 0)\n\t\tS.map_gone = 1;\n" +
            "\tpthread_rwlock_unlock(&S.mapping_change);\n\treturn r;\n"),
        (Verbs.Crash, PowerCut),
        (Verbs.Write, s => s.Stamp(CWriters.Of(s.Step.Verb.Writer)) +
            $"\tlong r = stamp_file_source({s.Index}, {s.Runs}, {s.RunCount}, &st, 0);\n\t/* pwrite(2) through the page cache */\n" +
            s.OverRuns($"complete(pwrite(S.data_fd, S.sources[{s.Index}].buffer + OFFSET(@R.first), RUN_LEN(@R), OFFSET(@R.first)), RUN_LEN(@R))") +
            "\treturn r;\n"),
        (Verbs.ODirectWriteFile, s => s.Stamp(CWriters.Of(s.Step.Verb.Writer)) +
            "\tlong fd = direct_write_fd();\n\tif (fd < 0)\n\t\treturn fd;\n" +
            $"\tlong r = stamp_file_source({s.Index}, {s.Runs}, {s.RunCount}, &st, 0);\n" +
            "\t/* pwrite(O_DIRECT) INTO the data file: the cached range is written back and invalidated first, a pinned page too */\n" +
            s.OverRuns($"complete(pwrite((int)fd, S.sources[{s.Index}].buffer + OFFSET(@R.first), RUN_LEN(@R), OFFSET(@R.first)), RUN_LEN(@R))") +
            "\treturn r;\n"),
        (Verbs.CopyRange, s => s.Stamp(CWriters.Of(s.Step.Verb.Writer)) +
            $"\tlong r = stamp_file_source({s.Index}, {s.Runs}, {s.RunCount}, &st, 1);\n" +
            s.OverRuns($"copy_run(S.siblings[{s.Index}], OFFSET(@R.first), RUN_LEN(@R))") + "\treturn r;\n"),
        (Verbs.Clone, s => s.Stamp(CWriters.Of(s.Step.Verb.Writer)) +
            $"\tlong r = stamp_file_source({s.Index}, {s.Runs}, {s.RunCount}, &st, 1);\n" +
            s.OverRuns($"clone_run(S.siblings[{s.Index}], OFFSET(@R.first), RUN_LEN(@R))") + "\treturn r;\n"),
        (Verbs.ZeroRange, s => "\t(void)iteration;\n\tlong r = 0;\n" +
            s.OverRuns("fallocate(S.data_fd, FALLOC_FL_ZERO_RANGE, OFFSET(@R.first), (off_t)RUN_LEN(@R)) ? -errno : 0") + "\treturn r;\n"),
        (Verbs.CollapseRange, ShiftRange),
        (Verbs.InsertRange, ShiftRange),
    ]);

    /// <summary>fallocate(COLLAPSE_RANGE) or fallocate(INSERT_RANGE), as the verb's row says, over its one range.</summary>
    private static string ShiftRange(CStep s) => "\t(void)iteration;\n\tlong r = 0;\n" +
        s.OverRuns($"fallocate(S.data_fd, {(s.Step.Verb.Shift!.Inserts ? "FALLOC_FL_INSERT_RANGE" : "FALLOC_FL_COLLAPSE_RANGE")}, OFFSET(@R.first), (off_t)RUN_LEN(@R)) ? -errno : 0") +
        "\treturn r;\n";

    /// <summary>A program cannot cut the power and go on: it stops here (exit <see cref="ReproExit.PowerCut"/>, or
    /// <see cref="ReproExit.Finding"/> when a check before found something) with everything before the cut done, and
    /// says how to cut it and what <c>pinbridge check</c> must find on the disk after the reboot.</summary>
    private static string PowerCut(CStep s) =>
        "\t(void)iteration;\n" +
        $"\tprintf(\"\\n#{s.Index} '{s.Step.Text}' (line {s.Step.At.Line}): cut the power NOW, nothing synced (as root: echo b > /proc/sysrq-trigger,\\n\"\n" +
        "\t       \"  or stop the VM), boot, mount the filesystem again, and verify what survived:\\n\"\n" +
        $"\t       \"  pinbridge check %s --expect 'run=%016llx {s.AfterPowerCut}'\\n\", S.data_path, (unsigned long long)run_id);\n" +
        "\tfflush(stdout);\n" +
        "\texit(findings || io_errors ? EXIT_FINDING : EXIT_POWER_CUT);\n";

    /// <summary>The verbs that have an emitter (the table's construction already failed if one is missing).</summary>
    public static IReadOnlyList<VerbInfo> Emitted => [.. All.Verbs];

    private static string MsyncFlags(Step step) => step.Args.Mode switch
    {
        "async" => "MS_ASYNC",
        "invalidate" => "MS_SYNC | MS_INVALIDATE",
        _ => "MS_SYNC",
    };
}
