namespace Bridge.Targets;

/// <summary>A target could not be set up (a VM's kernel or tools, a container's engine or image, the host's dotnet);
/// the message names what failed and the form that was expected. The run then reports every scenario as not run,
/// with this reason.</summary>
public class TargetSetupException(string message, Exception? inner = null) : Exception(message, inner);
