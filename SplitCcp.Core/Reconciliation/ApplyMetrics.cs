using System.Diagnostics;
using System.Diagnostics.Metrics;
using SplitCcp.Core.Observability;

namespace SplitCcp.Core.Reconciliation;

/// <summary>
/// What <see cref="ApplyEngine"/> records: how long applies took from start to finish by how they ended, the steps that
/// ended by outcome, the whole-apply retries; and a span per apply and per step, failed with the operator's message.
/// </summary>
public sealed class ApplyMetrics
{
    public const string Duration = "splitccp.apply.duration";
    public const string Steps = "splitccp.apply.steps";
    public const string Retries = "splitccp.apply.retries";

    private const string ApplySpan = "apply";
    private const string StepSpan = "apply step";

    /// <summary>Upper bounds, in seconds: an apply in line takes seconds, one that creates an instance and starts a fleet most of an hour.</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _steps;
    private readonly Counter<long> _retries;

    public ApplyMetrics(IMeterFactory meters)
    {
        var meter = meters.CreateMeter();
        _duration = meter.CreateHistogram(Duration, "s", "How long applies took from their start to their end, by the state they ended in.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _steps = meter.CreateCounter<long>(Steps, "{step}", "Apply steps that ended, by outcome.");
        _retries = meter.CreateCounter<long>(Retries, "{retry}", "Whole applies scheduled to be retried after AWS asked to try later.");
    }

    public static Activity? StartApply(Guid applyId) => PortalTelemetry.Source.StartActivity(ApplySpan)?.SetTag("splitccp.apply_id", applyId);

    public static Activity? StartStep(ApplyStep step) =>
        PortalTelemetry.Source.StartActivity(StepSpan)?.SetTag("splitccp.resource", step.ResourceKey).SetTag("splitccp.action", step.Action);

    public void Finished(ApplyRun run)
    {
        var state = run.State.ToString();
        _duration.Record(((run.FinishedAt - run.StartedAt) ?? TimeSpan.Zero).TotalSeconds, new KeyValuePair<string, object?>("state", state));
        if (Current(ApplySpan) is { } span)
        {
            span.SetTag("splitccp.apply.state", state);
            if (run.Error is { } error)
            {
                span.Fail(error);
            }
        }
    }

    /// <summary>A step that ended (<see cref="JournalPhase.Succeeded"/>, <see cref="JournalPhase.Failed"/> or <see cref="JournalPhase.Skipped"/>).</summary>
    public void StepEnded(JournalPhase phase, string message)
    {
        _steps.Add(1, new KeyValuePair<string, object?>("outcome", phase.ToString()));
        if (Current(StepSpan) is { } span)
        {
            span.SetTag("splitccp.apply.step_outcome", phase.ToString());
            if (phase == JournalPhase.Failed)
            {
                span.Fail(message);
            }
        }
    }

    public void Retrying() => _retries.Add(1);

    /// <summary>The portal's span of that name under way here; never another library's, which is current when ours is not recorded.</summary>
    private static Activity? Current(string name) =>
        Activity.Current is { } current && current.Source == PortalTelemetry.Source && current.OperationName == name ? current : null;
}
