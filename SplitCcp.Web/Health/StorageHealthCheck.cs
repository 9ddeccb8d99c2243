using Microsoft.Extensions.Diagnostics.HealthChecks;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Web.Health;

/// <summary>Not ready while the database cannot be written (a read-only data folder, a full disk), saying why; ready again once a probe write succeeds.</summary>
internal sealed class StorageHealthCheck(StorageProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await probe.CheckAsync(cancellationToken) is { } fault
            ? HealthCheckResult.Unhealthy(fault.Reason)
            : HealthCheckResult.Healthy("The database can be written.");
}
