namespace Bridge.Core.Scenarios;

/// <summary>Where a piece of scenario text came from: file, 1-based line and column.</summary>
public readonly record struct SourceSpan(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>One error in a scenario file, reported as <c>file:line:col: message</c>.</summary>
public sealed record ScenarioError(SourceSpan At, string Message)
{
    public override string ToString() => $"{At}: {Message}";
}

/// <summary>Thrown when a scenario file has errors; carries all of them, so a user fixes a file in one pass.</summary>
public sealed class ScenarioException(IReadOnlyList<ScenarioError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<ScenarioError> Errors { get; } = errors;
}
