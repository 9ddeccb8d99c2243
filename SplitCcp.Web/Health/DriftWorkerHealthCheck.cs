using Microsoft.Extensions.Diagnostics.HealthChecks;
using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Web.Health;

/// <summary>Not ready when the drift worker has fallen behind: its last pass finished longer ago than the configured number of intervals.</summary>
internal sealed class DriftWorkerHealthCheck(DriftWorker worker) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(worker.Staleness() is { } behind
            ? HealthCheckResult.Unhealthy(behind)
            : HealthCheckResult.Healthy(worker.LastPass is { FinishedAt: { } at } ? $"The drift worker's last pass finished at {at:u}." : "The drift worker is keeping up."));
}
