using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SplitCcp.Core.Observability;

/// <summary>
/// The name of the portal's one <see cref="Meter"/> and one <see cref="ActivitySource"/>: what <c>dotnet-counters</c>
/// (<c>--counters SplitCcp</c>), <c>/metrics</c> and the OTLP export listen to. Every instrument is created through the
/// host's <see cref="IMeterFactory"/>, so each host (and each test) has meters of its own.
/// </summary>
public static class PortalTelemetry
{
    public const string Name = "SplitCcp";

    /// <summary>The portal's own spans: an apply and its steps, a drift check, an AWS call.</summary>
    public static ActivitySource Source { get; } = new(Name);

    public static Meter CreateMeter(this IMeterFactory meters) => meters.Create(Name);

    /// <summary>A span, named only when someone listens: the name is built for every AWS call.</summary>
    public static Activity? Start(Func<string> name, ActivityKind kind = ActivityKind.Internal) =>
        Source.HasListeners() ? Source.StartActivity(name(), kind) : null;

    /// <summary>Marks the span failed with the operator's reason; the log already has the details.</summary>
    public static void Fail(this Activity? activity, string reason) => activity?.SetStatus(ActivityStatusCode.Error, reason);
}
