using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace SplitCcp.Core.Reconciliation;

/// <summary>
/// The last few plans shown for each tenant, by fingerprint, kept in memory: when an apply is refused because the plan
/// changed, they say how the plan its caller confirmed differs from the plan now. A plan made by another portal process,
/// or long ago, is not here; the refusal then gives the plan now without the comparison.
/// </summary>
public sealed class RecentPlans
{
    /// <summary>How many different plans are kept per tenant, the latest ones.</summary>
    public const int PerTenant = 8;

    private readonly ConcurrentDictionary<Guid, ImmutableList<Plan>> _plans = new();

    public void Remember(Plan plan) => _plans.AddOrUpdate(plan.TenantId, _ => [plan], (_, kept) =>
    {
        var fingerprint = plan.Fingerprint;
        var others = kept.RemoveAll(p => p.Fingerprint == fingerprint);
        return (others.Count >= PerTenant ? others.RemoveRange(0, others.Count - PerTenant + 1) : others).Add(plan);
    });

    public Plan? Find(Guid tenantId, string fingerprint) =>
        _plans.TryGetValue(tenantId, out var kept)
            ? kept.LastOrDefault(p => string.Equals(p.Fingerprint, fingerprint, StringComparison.OrdinalIgnoreCase))
            : null;
}
