namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>
/// Work that follows each stored drift check of a tenant, before its pages are told (the go-live checklist ticks what the
/// check proved). Registered by the feature that needs it: drift knows none of them.
/// </summary>
public interface IDriftCheckFollower
{
    /// <summary>Runs after a check of the tenant that found these resources was stored.</summary>
    Task AfterCheckAsync(Guid tenantId, IReadOnlyList<DriftResource> resources, CancellationToken ct);
}
