namespace Bridge.Targets.Vm;

/// <summary>A VM run could not be set up: bad input (unknown kernel line, missing file, wrong form) or a host tool
/// that failed (apt-get, dpkg, depmod, qemu missing). The message names what failed and the form that was
/// expected. A guest that boots badly is not an exception: that is a <see cref="VmResult"/>.</summary>
public class VmSetupException(string message, Exception? inner = null) : TargetSetupException(message, inner);
