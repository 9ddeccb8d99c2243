using SplitCcp.Core.Aws;
using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Web.Metrics;

/// <summary>
/// <c>/metrics</c> in Prometheus text, rendered from the portal's System.Diagnostics.Metrics instruments as
/// <see cref="PortalMeterListener"/> aggregates them. The families below are a contract with dashboards and alerts: their
/// names, labels, HELP, TYPE and histogram buckets are those the portal served before its metrics moved onto instruments,
/// and a test pins them. Tenants per status are counted afresh for every scrape (a scrape has no user: it is the MSP's view).
/// <para>
/// Not <c>OpenTelemetry.Exporter.Prometheus.AspNetCore</c>: the registry serves only a pre-release of it (1.20.1-beta.1),
/// and it names series its own way (unit suffixes, <c>_total</c> rules, <c>otel_scope_*</c> labels, a <c>target_info</c>
/// family), which would break every dashboard built on the names below. Instruments that have no family here (the
/// applies') are seen by <c>dotnet-counters</c> and the OTLP export only.
/// </para>
/// </summary>
internal sealed class PrometheusExposition(PortalMeterListener instruments, DriftGauges drift)
{
    private static readonly Family[] s_families =
    [
        new("splitccp_tenants", DriftGauges.Tenants, PrometheusType.Gauge,
            "Tenants by the status of their latest drift check; Pending is a setup with console steps or changes left, Unknown never checked or a draft setup.",
            ByStatus),
        new("splitccp_drift_check_duration_seconds", DriftMetrics.CheckDuration, PrometheusType.Histogram,
            "How long drift checks of one tenant took, by the status they found.", ByStatus),
        new("splitccp_drift_pass_running", DriftGauges.PassRunning, PrometheusType.Gauge, "1 while a drift pass is checking tenants, 0 between passes.", Observed),
        new("splitccp_drift_pass_checked_tenants", DriftGauges.PassCheckedTenants, PrometheusType.Gauge,
            "Tenants the pass under way has checked so far; 0 between passes.", Observed),

        // Absent until the first pass ends, so an alert on the age of the last pass sees "never" rather than 1970.
        new("splitccp_drift_last_pass_timestamp_seconds", DriftGauges.LastPassTimestamp, PrometheusType.Gauge, "When the last drift pass finished, in Unix seconds.", Observed),
        new("splitccp_drift_last_pass_duration_seconds", DriftGauges.LastPassDuration, PrometheusType.Gauge, "How long the last drift pass took.", Observed),
        new("splitccp_drift_last_pass_tenants", DriftGauges.LastPassTenants, PrometheusType.Gauge, "Tenants the last drift pass checked.", Observed),

        new("splitccp_aws_calls_total", AwsCallMetrics.Calls, PrometheusType.Counter,
            "AWS call attempts sent per service (Sandbox tenants included), after the client-side rate limiter; every retry counts.", ByService),
        new("splitccp_aws_throttled_total", AwsCallMetrics.Throttled, PrometheusType.Counter, "AWS call attempts answered with throttling, per service.", ByService),
        new("splitccp_aws_errors_total", AwsCallMetrics.Errors, PrometheusType.Counter,
            "AWS call attempts that failed, per service and kind (NotFound is often an expected answer to an existence check).", ByServiceAndKind),
        new("splitccp_aws_rate_limit_wait_seconds_total", AwsCallMetrics.RateLimitWait, PrometheusType.Counter,
            "Time AWS call attempts spent waiting for the client-side rate limiter, per service.", ByService),
    ];

    public async Task<string> RenderAsync(CancellationToken ct)
    {
        await drift.RefreshTenantsAsync(ct);
        var snapshot = instruments.Collect();
        var text = new PrometheusWriter();
        foreach (var family in s_families)
        {
            family.Write(text, snapshot);
        }

        return text.ToString();
    }

    /// <summary>Every status, each with a sample (0 if none), in the enum's order.</summary>
    private static IEnumerable<(string Name, string Value)[]>? ByStatus(MeterSnapshot snapshot, string instrument) =>
        Enum.GetValues<TenantHealthStatus>().Select(status => new[] { ("status", status.ToString()) });

    /// <summary>Every AWS service called so far, in name order, each with a sample (0 if none).</summary>
    private static IEnumerable<(string Name, string Value)[]>? ByService(MeterSnapshot snapshot, string instrument) =>
        ServicesCalled(snapshot).Select(service => new[] { ("service", service) });

    private static IEnumerable<(string Name, string Value)[]>? ByServiceAndKind(MeterSnapshot snapshot, string instrument) =>
        ServicesCalled(snapshot).SelectMany(service => Enum.GetValues<AwsFailureKind>().Select(kind => new[] { ("service", service), ("kind", kind.ToString()) }));

    /// <summary>What the gauge answered; the whole family is left out when it answered nothing.</summary>
    private static IEnumerable<(string Name, string Value)[]>? Observed(MeterSnapshot snapshot, string instrument) =>
        snapshot.Series(instrument) is { Count: > 0 } series ? series.Select(s => s.Labels.Select(l => (l.Key, l.Value)).ToArray()) : null;

    private static IEnumerable<string> ServicesCalled(MeterSnapshot snapshot) =>
        snapshot.Series(AwsCallMetrics.Calls).Select(s => s.Labels["service"]).Distinct().Order(StringComparer.Ordinal);

    /// <summary>One Prometheus family fed by one instrument; <paramref name="Series"/> lists its samples' labels, null to leave it out.</summary>
    private sealed record Family(string Name, string Instrument, PrometheusType Type, string Help, Func<MeterSnapshot, string, IEnumerable<(string Name, string Value)[]>?> Series)
    {
        public void Write(PrometheusWriter text, MeterSnapshot snapshot)
        {
            if (Series(snapshot, Instrument)?.ToList() is not { } series)
            {
                return;
            }

            text.Family(Name, Type, Help);
            foreach (var pairs in series)
            {
                if (Type != PrometheusType.Histogram)
                {
                    text.Sample(snapshot.Value(Instrument, pairs), pairs);
                }
                else if (snapshot.Histogram(Instrument, pairs) is { } histogram)
                {
                    text.Histogram(histogram, pairs);
                }
            }
        }
    }
}
