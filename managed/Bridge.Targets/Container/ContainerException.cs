namespace Bridge.Targets.Container;

/// <summary>A container-target operation failed; the message names what and how to fix it.</summary>
public class ContainerException(string message, Exception? inner = null) : TargetSetupException(message, inner);

/// <summary>No Docker engine answers and none can be started here (docker.io missing, not root, dockerd exits).
/// Callers that only <em>may</em> use containers (tests, a default suite) treat this as "not available".</summary>
public sealed class EngineUnavailableException(string message, Exception? inner = null) : ContainerException(message, inner);
