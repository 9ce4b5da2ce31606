namespace Bridge.Core.Scenarios;

/// <summary>One limit on what a scenario file may ask for: the parser enforces it (an input past it is an error
/// at its file:line:col), <c>pinbridge verbs</c> prints it and the README lists it.</summary>
/// <param name="Name">What is limited, as a user writes it.</param>
/// <param name="Max">The largest value accepted.</param>
/// <param name="Unit">The unit of <paramref name="Max"/>.</param>
/// <param name="Why">What the limit protects.</param>
public sealed record InputLimit(string Name, long Max, string Unit, string Why)
{
    public override string ToString() => $"{Name}: at most {Max:N0} {Unit}";
}

/// <summary>
/// Every input is either within these limits or rejected before anything runs: the work a scenario costs — parse
/// time, the oracle's and the simulator's per-block state, a run's wall time — grows with them, so a typo
/// (<c>size=4G</c>, <c>for=9999m</c>, a matrix of twelve variables) cannot exhaust the machine.
/// </summary>
public static class InputLimits
{
    public static readonly InputLimit FileChars = new("scenario file", 1 << 20, "characters", "parse time and memory");
    public static readonly InputLimit Lines = new("lines", 10_000, "per file", "parse time");
    public static readonly InputLimit LineLength = new("line length", 1_000, "characters", "parse time (a line is tokenised and matched in one pass)");
    public static readonly InputLimit MatrixInstances = new("matrix instances", 4_096, "per matrix file (the product of its vary lines)", "memory: every instance is parsed before anything runs");
    public static readonly InputLimit MatrixLines = new("matrix expansion", 40_000, "lines to parse (instances × lines of the file)", "parse time and memory of a matrix (every instance is parsed, a step line costs ~5 KB)");
    public static readonly InputLimit Steps = new("steps", 1_000, "per scenario, race bodies included", "run time and report size");
    public static readonly InputLimit DataFileSize = new("file size=", 1L << 30, "bytes", "scratch space and memory; block offsets stay within 32-bit block indexes");
    public static readonly InputLimit BlockSize = new("file block=", 2L << 20, "bytes (a multiple of 4 KiB)", "one block is one I/O; a 2 MiB huge page is the largest unit a backing has");
    public static readonly InputLimit Blocks = new("blocks", 1 << 18, "per file (size / block)", "the oracle and the simulator keep state per block");
    public static readonly InputLimit BlockSteps = new("block-steps", 1 << 22, "blocks named by all steps of a scenario together (check counts every block)", "the oracle's and the executors' work grows as steps × blocks");
    public static readonly InputLimit RaceDuration = new("race for=", 600, "seconds", "a run's wall time (a race still running 60 s past its bound is a hang)");
    public static readonly InputLimit RaceCount = new("race count=", 1_000_000, "iterations", "a run's wall time");
    public static readonly InputLimit RaceWork = new("race work", 1 << 24, "blocks written by a count= race (count × the blocks its steps name)", "the simulator replays every iteration");
    public static readonly InputLimit Generation = new("gen=", 65_535, "(generation 0 is the initial fill)", "a sector payload seeds gen << 20 below iteration << 40: gens past 16 bits would overlap iterations");
    public static readonly InputLimit ErrorsPrinted = new("errors printed", 50, "per run; the rest are counted", "a terminal's scrollback");
    public static readonly InputLimit WordShown = new("word quoted", 40, "characters of an input word in an error message; longer ones are elided", "a terminal's scrollback");

    public static readonly IReadOnlyList<InputLimit> All =
    [
        FileChars, Lines, LineLength, MatrixInstances, MatrixLines, Steps, DataFileSize, BlockSize, Blocks, BlockSteps,
        RaceDuration, RaceCount, RaceWork, Generation, ErrorsPrinted, WordShown,
    ];
}
