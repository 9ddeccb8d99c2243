using Microsoft.Extensions.Options;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Core.Bulk;

/// <summary>What one tenant's turn in a bulk operation came to.</summary>
internal sealed record BulkTenantOutcome(bool Succeeded, string? Error = null, Guid? ApplyId = null, int? Changes = null, string? Health = null);

/// <summary>
/// One tenant's turn in a bulk operation, done by the single-tenant plan, apply and drift check: a plan counts the changes
/// it has; an apply plans the tenant now, applies that plan and waits for the apply to end; a check records the health it
/// found, and fails when the check could not be completed.
/// </summary>
public sealed class BulkTenantActions(ReconciliationService reconciliation, DriftChecker checker, IOptions<BulkOptions> options, TimeProvider time)
{
    internal async Task<BulkTenantOutcome> RunAsync(BulkOperation operation, BulkOperationTenant tenant, CancellationToken ct) => operation.Kind switch
    {
        BulkOperationKind.Plan => await PlanAsync(operation, tenant, ct),
        BulkOperationKind.Apply => await ApplyAsync(operation, tenant, ct),
        _ => await CheckAsync(tenant, ct),
    };

    private async Task<BulkTenantOutcome> PlanAsync(BulkOperation operation, BulkOperationTenant tenant, CancellationToken ct) =>
        await reconciliation.PlanAsync(tenant.TenantId, operation.RequestedBy, ct) switch
        {
            PlanResult.Planned { Plan: var plan } => new BulkTenantOutcome(true, Changes: plan.Count(PlanAction.Create) + plan.Count(PlanAction.Update)),
            PlanResult.Unavailable { Reason: var reason } => new BulkTenantOutcome(false, $"The tenant's AWS account could not be opened: {reason}"),
            _ => Deleted,
        };

    /// <summary>
    /// Starts the tenant's apply, unless it has one from this operation already (started before a restart), and waits for
    /// it to end: an apply that is still queued or running is not done. The apply is recorded on the tenant's row in the
    /// apply's own save, so a restart finds it there or finds that none was started.
    /// </summary>
    private async Task<BulkTenantOutcome> ApplyAsync(BulkOperation operation, BulkOperationTenant tenant, CancellationToken ct)
    {
        var applyId = tenant.ApplyId;
        if (applyId is null)
        {
            var started = await reconciliation.StartApplyOfPlanNowAsync(tenant.TenantId, operation.RequestedBy,
                (record, plan) => $"Requested by a bulk apply ({operation.Id}, {BulkOperationService.WaveName(tenant.Wave)}): an apply of setup version {record.Version} (plan {plan.Fingerprint[..12]}).",
                (db, id) => db.BulkOperationTenants.Attach(new BulkOperationTenant { Id = tenant.Id }).Property(t => t.ApplyId).CurrentValue = id,
                ct);
            switch (started)
            {
                case ApplyStartResult.Started { Apply: var apply }:
                    applyId = apply.Id;
                    break;
                case ApplyStartResult.AlreadyRunning:
                    return new BulkTenantOutcome(false, "Another apply of this tenant was running; it was not applied again.");
                case ApplyStartResult.NotReady { Reason: var reason }:
                    return new BulkTenantOutcome(false, reason);
                case ApplyStartResult.Unavailable { Reason: var reason }:
                    return new BulkTenantOutcome(false, $"The tenant's AWS account could not be opened: {reason}");
                default:
                    return Deleted;
            }
        }

        while (true)
        {
            switch (await reconciliation.ApplyOutcomeAsync(applyId.Value, ct))
            {
                case null:
                    return Deleted with { ApplyId = applyId };
                case (ApplyState.Succeeded, _):
                    return new BulkTenantOutcome(true, ApplyId: applyId);
                case (ApplyState.Failed, var error):
                    return new BulkTenantOutcome(false, error ?? "The apply failed.", applyId);
            }

            await Task.Delay(options.Value.PollInterval, time, ct);
        }
    }

    private async Task<BulkTenantOutcome> CheckAsync(BulkOperationTenant tenant, CancellationToken ct) =>
        await checker.CheckAsync(tenant.TenantId, ct) switch
        {
            null => Deleted,
            { Status: TenantHealthStatus.Failing } report => new BulkTenantOutcome(false, report.Message ?? "The check could not be completed.", Health: report.Status.ToString()),
            var report => new BulkTenantOutcome(true, Health: report.Status.ToString()),
        };

    private static BulkTenantOutcome Deleted { get; } = new(false, "The tenant was deleted.");
}
