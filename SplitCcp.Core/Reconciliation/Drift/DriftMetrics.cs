using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using SplitCcp.Core.Observability;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>How long drift checks of one tenant took, by the status they found; recorded by <see cref="DriftChecker"/>, with a span per check.</summary>
public sealed class DriftMetrics
{
    public const string CheckDuration = "splitccp.drift.check.duration";

    /// <summary>Upper bounds, in seconds, of the check duration histogram: a simulated account's check takes milliseconds, a slow real account minutes.</summary>
    public static IReadOnlyList<double> CheckDurationBuckets { get; } = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private readonly Histogram<double> _checks;

    public DriftMetrics(IMeterFactory meters) =>
        _checks = meters.CreateMeter().CreateHistogram(CheckDuration, "s", "How long drift checks of one tenant took, by the status they found.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CheckDurationBuckets });

    public void RecordCheck(TimeSpan duration, TenantHealthStatus status) =>
        _checks.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("status", status.ToString()));

    public static Activity? StartCheck(Guid tenantId) =>
        PortalTelemetry.Source.StartActivity("drift check")?.SetTag("splitccp.tenant_id", tenantId);

    /// <summary>Ends the span with the status found; a check that could not run is a Failing report, not an error of the span.</summary>
    public static void Checked(Activity? activity, TenantHealthReport? report) =>
        activity?.SetTag("splitccp.drift.status", report?.Status.ToString());
}

/// <summary>
/// Gauges of the drift worker's passes and of the tenants per health status. The tenant counts come from the database,
/// which an instrument's callback cannot wait for: it answers the counts last read, and reads them again in the background
/// once they are older than <see cref="MaxAge"/>. <c>/metrics</c> reads them (<see cref="RefreshTenantsAsync"/>) before each scrape.
/// </summary>
public sealed partial class DriftGauges
{
    public const string Tenants = "splitccp.tenants";
    public const string PassRunning = "splitccp.drift.pass.running";
    public const string PassCheckedTenants = "splitccp.drift.pass.checked_tenants";
    public const string LastPassTimestamp = "splitccp.drift.last_pass.timestamp";
    public const string LastPassDuration = "splitccp.drift.last_pass.duration";
    public const string LastPassTenants = "splitccp.drift.last_pass.tenants";

    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);

    private readonly DriftService _drift;
    private readonly TimeProvider _time;
    private readonly ILogger<DriftGauges> _logger;
    private volatile Counted? _counted;
    private int _refreshing;

    public DriftGauges(IMeterFactory meters, DriftService drift, DriftWorker worker, TimeProvider time, ILogger<DriftGauges> logger)
    {
        (_drift, _time, _logger) = (drift, time, logger);
        var meter = meters.CreateMeter();
        meter.CreateObservableGauge(Tenants, ObserveTenants, "{tenant}", "Tenants by the status of their latest drift check.");
        meter.CreateObservableGauge(PassRunning, () => worker.CurrentPass is null ? 0 : 1, null, "1 while a drift pass is checking tenants, 0 between passes.");
        meter.CreateObservableGauge(PassCheckedTenants, () => worker.CurrentPass?.Checked ?? 0, "{tenant}", "Tenants the pass under way has checked so far.");

        // Nothing until the first pass ends, so an alert on the age of the last pass sees "never" rather than 1970.
        meter.CreateObservableGauge(LastPassTimestamp, () => LastPass(worker, (finished, _) => UnixSeconds(finished)), "s", "When the last drift pass finished, in Unix seconds.");
        meter.CreateObservableGauge(LastPassDuration, () => LastPass(worker, (finished, last) => (finished - last.StartedAt).TotalSeconds), "s", "How long the last drift pass took.");
        meter.CreateObservableGauge(LastPassTenants, () => LastPass(worker, (_, last) => (double)last.Checked), "{tenant}", "Tenants the last drift pass checked.");
    }

    /// <summary>Counts the tenants per status now, for the gauge to answer.</summary>
    public async Task RefreshTenantsAsync(CancellationToken ct) => _counted = new(await _drift.CountAllAsync(ct), _time.GetTimestamp());

    private IEnumerable<Measurement<int>> ObserveTenants()
    {
        var counted = _counted;
        if ((counted is null || _time.GetElapsedTime(counted.At) > MaxAge) && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = RefreshInBackgroundAsync();
        }

        return counted is null ? [] : Enum.GetValues<TenantHealthStatus>()
            .Select(status => new Measurement<int>(counted.Counts.For(status), new KeyValuePair<string, object?>("status", status.ToString())));
    }

    private async Task RefreshInBackgroundAsync()
    {
        try
        {
            await Task.Yield();
            await RefreshTenantsAsync(CancellationToken.None);
        }
#pragma warning disable CA1031 // A gauge that cannot be read keeps its last counts; the storage health check tells why.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCountFailed(_logger, ex);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private static IEnumerable<Measurement<double>> LastPass(DriftWorker worker, Func<DateTime, DriftPassInfo, double> value) =>
        worker.LastPass is { FinishedAt: { } finished } last ? [new Measurement<double>(value(finished, last))] : [];

    private static double UnixSeconds(DateTime utc) => (DateTime.SpecifyKind(utc, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The tenants could not be counted for the tenant gauge; it keeps its last counts.")]
    private static partial void LogCountFailed(ILogger logger, Exception exception);

    private sealed record Counted(HealthCounts Counts, long At);
}
