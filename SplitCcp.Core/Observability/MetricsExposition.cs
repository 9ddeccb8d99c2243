using SplitCcp.Core.Aws;
using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Core.Observability;

/// <summary>
/// Everything <c>/metrics</c> answers, in Prometheus text: tenants per health status counted now over every tenant (a scrape
/// has no user, and it is the MSP's view), the drift worker's passes, drift check durations and AWS calls per service.
/// </summary>
public sealed class MetricsExposition(PortalMetrics metrics, DriftService drift, DriftWorker worker)
{
    public async Task<string> RenderAsync(CancellationToken ct)
    {
        var counts = await drift.CountAllAsync(ct);
        var text = new PrometheusText();

        text.Family("splitccp_tenants", MetricType.Gauge,
            "Tenants by the status of their latest drift check; Pending is a setup with console steps or changes left, Unknown never checked or a draft setup.");
        foreach (var status in Enum.GetValues<TenantHealthStatus>())
        {
            text.Sample(counts.For(status), ("status", status.ToString()));
        }

        text.Family("splitccp_drift_check_duration_seconds", MetricType.Histogram, "How long drift checks of one tenant took, by the status they found.");
        foreach (var status in Enum.GetValues<TenantHealthStatus>())
        {
            text.Histogram(metrics.CheckDurations(status), ("status", status.ToString()));
        }

        WritePasses(text);
        WriteAws(text, metrics.AwsServices());
        return text.ToString();
    }

    private void WritePasses(PrometheusText text)
    {
        var current = worker.CurrentPass;
        text.Family("splitccp_drift_pass_running", MetricType.Gauge, "1 while a drift pass is checking tenants, 0 between passes.")
            .Sample(current is null ? 0 : 1);
        text.Family("splitccp_drift_pass_checked_tenants", MetricType.Gauge, "Tenants the pass under way has checked so far; 0 between passes.")
            .Sample(current?.Checked ?? 0);

        // Absent until the first pass ends, so an alert on the age of the last pass sees "never" rather than 1970.
        if (worker.LastPass is { FinishedAt: { } finished } last)
        {
            text.Family("splitccp_drift_last_pass_timestamp_seconds", MetricType.Gauge, "When the last drift pass finished, in Unix seconds.")
                .Sample(UnixSeconds(finished));
            text.Family("splitccp_drift_last_pass_duration_seconds", MetricType.Gauge, "How long the last drift pass took.")
                .Sample((finished - last.StartedAt).TotalSeconds);
            text.Family("splitccp_drift_last_pass_tenants", MetricType.Gauge, "Tenants the last drift pass checked.")
                .Sample(last.Checked);
        }
    }

    private static void WriteAws(PrometheusText text, IReadOnlyList<AwsServiceMetrics> services)
    {
        text.Family("splitccp_aws_calls_total", MetricType.Counter,
            "AWS call attempts sent per service (Sandbox tenants included), after the client-side rate limiter; every retry counts.");
        foreach (var service in services)
        {
            text.Sample(service.Attempts, ("service", service.Service));
        }

        text.Family("splitccp_aws_throttled_total", MetricType.Counter, "AWS call attempts answered with throttling, per service.");
        foreach (var service in services)
        {
            text.Sample(service.Throttled, ("service", service.Service));
        }

        text.Family("splitccp_aws_errors_total", MetricType.Counter,
            "AWS call attempts that failed, per service and kind (NotFound is often an expected answer to an existence check).");
        foreach (var service in services)
        {
            foreach (var kind in Enum.GetValues<AwsFailureKind>())
            {
                text.Sample(service.Failures.GetValueOrDefault(kind), ("service", service.Service), ("kind", kind.ToString()));
            }
        }

        text.Family("splitccp_aws_rate_limit_wait_seconds_total", MetricType.Counter,
            "Time AWS call attempts spent waiting for the client-side rate limiter, per service.");
        foreach (var service in services)
        {
            text.Sample(service.RateLimitWait.TotalSeconds, ("service", service.Service));
        }
    }

    private static double UnixSeconds(DateTime utc) =>
        (DateTime.SpecifyKind(utc, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds;
}
