using Xunit.Abstractions;
using Xunit.Sdk;

namespace Bridge.Targets.Tests.Container;

/// <summary>Thrown by a test that needs a Docker engine where none can be had; <see cref="EngineFactAttribute"/>
/// reports it as skipped with this reason instead of failed. xunit 2 has no runtime skip of its own.</summary>
public sealed class EngineUnavailableSkipException(string reason) : Exception(reason);

/// <summary>A fact that needs a Docker engine: skipped (with the precise reason) when
/// <see cref="EngineUnavailableSkipException"/> is thrown, failed for any other exception.</summary>
[XunitTestCaseDiscoverer("Bridge.Targets.Tests.Container.EngineFactDiscoverer", "Bridge.Targets.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class EngineFactAttribute : FactAttribute;

public sealed class EngineFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        [new EngineTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
}

public sealed class EngineTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public EngineTestCase() { }

    public EngineTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod)
        : base(diagnosticMessageSink, display, options, testMethod) { }

    public override async Task<RunSummary> RunAsync(IMessageSink diagnosticMessageSink, IMessageBus messageBus, object[] constructorArguments,
        ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource)
    {
        var bus = new SkipOnUnavailableBus(messageBus);
        var summary = await base.RunAsync(diagnosticMessageSink, bus, constructorArguments, aggregator, cancellationTokenSource);
        summary.Failed -= bus.Skipped;
        summary.Skipped += bus.Skipped;
        return summary;
    }

    private sealed class SkipOnUnavailableBus(IMessageBus inner) : IMessageBus
    {
        private static readonly string SkipType = typeof(EngineUnavailableSkipException).FullName!;

        public int Skipped { get; private set; }

        public bool QueueMessage(IMessageSinkMessage message)
        {
            if (message is ITestFailed failed && failed.ExceptionTypes.Length > 0 && failed.ExceptionTypes[0] == SkipType)
            {
                Skipped++;
                // xunit prefixes messages of non-assertion exceptions with "Type : ".
                var reason = failed.Messages[0];
                var prefix = SkipType + " : ";
                return inner.QueueMessage(new TestSkipped(failed.Test, reason.StartsWith(prefix, StringComparison.Ordinal) ? reason[prefix.Length..] : reason));
            }
            return inner.QueueMessage(message);
        }

        // The inner bus belongs to the runner that passed it in.
        public void Dispose() { }
    }
}
