namespace Bridge.Core.Scenarios;

/// <summary>Where a piece of scenario text came from: file, 1-based line and column.</summary>
public readonly record struct SourceSpan(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>One error in a scenario file, reported as <c>file:line:col: message</c>, every character visible
/// (a file name or a quoted word cannot drive the terminal).</summary>
public sealed record ScenarioError(SourceSpan At, string Message)
{
    public override string ToString() => Printable.Text($"{At}: {Message}");
}

/// <summary>Thrown when a scenario file has errors; carries all of them, so a user fixes a file in one pass.</summary>
public sealed class ScenarioException(IReadOnlyList<ScenarioError> errors) : Exception(string.Join(Environment.NewLine, Report(errors)))
{
    public IReadOnlyList<ScenarioError> Errors { get; } = errors;

    /// <summary>The lines to print: the first <see cref="InputLimits.ErrorsPrinted"/> errors, then how many more.</summary>
    public IEnumerable<string> Report() => Report(Errors);

    private static IEnumerable<string> Report(IReadOnlyList<ScenarioError> errors)
    {
        var max = (int)InputLimits.ErrorsPrinted.Max;
        foreach (var error in errors.Take(max))
            yield return error.ToString();
        if (errors.Count > max)
            yield return $"… and {errors.Count - max:N0} more errors (fix these first)";
    }
}
