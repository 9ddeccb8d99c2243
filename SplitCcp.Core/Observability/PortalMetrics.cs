using System.Collections.Concurrent;
using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Core.Observability;

/// <summary>The portal's own counters, read by <c>/metrics</c>: drift check durations, AWS calls and throttles per service.</summary>
public sealed class PortalMetrics
{
    private readonly ConcurrentDictionary<TenantHealthStatus, long> _checks = new();
    private long _checkTicks;

    public void RecordCheck(TimeSpan duration, TenantHealthStatus status)
    {
        _checks.AddOrUpdate(status, 1, (_, n) => n + 1);
        Interlocked.Add(ref _checkTicks, duration.Ticks);
    }

    public long Checks(TenantHealthStatus status) => _checks.GetValueOrDefault(status);

    public TimeSpan CheckTime => TimeSpan.FromTicks(Interlocked.Read(ref _checkTicks));
}
