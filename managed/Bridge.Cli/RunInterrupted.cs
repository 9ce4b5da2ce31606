using Bridge.Core.Reports;

namespace Bridge.Cli;

/// <summary>The run was interrupted (SIGINT, SIGTERM): what was judged until then, the interrupted scenario last, so
/// that the command still prints it before exiting 130.</summary>
public sealed class RunInterrupted(RunReport judged, CancellationToken token)
    : OperationCanceledException("the run was interrupted", token)
{
    public RunReport Judged => judged;
}
