using Microsoft.Extensions.Time.Testing;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Reconciliation;

/// <summary>
/// The plans kept to explain a refused apply stay few however many tenants the portal plans: the latest few per tenant,
/// none older than <see cref="RecentPlans.MaxAge"/>, and no more than <see cref="RecentPlans.MaxPlans"/> in all.
/// </summary>
public sealed class RecentPlansTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddYears(56));

    private static Plan PlanFor(Guid tenantId, string value) =>
        new(tenantId, DateTimeOffset.UnixEpoch, [new PlanItem("bucket", "The bucket", SpecSection.Hosting, PlanAction.Update, [], [new FieldChange("versioning", "Enabled", value)], null, [])]);

    [Fact]
    public void A_plan_is_found_by_its_tenant_and_fingerprint_until_it_is_older_than_the_maximum_age()
    {
        var recent = new RecentPlans(_time);
        var plan = PlanFor(Guid.NewGuid(), "Suspended");
        recent.Remember(plan);

        _time.Advance(RecentPlans.MaxAge - TimeSpan.FromSeconds(1));
        recent.Find(plan.TenantId, plan.Fingerprint).ShouldBeSameAs(plan);
        recent.Find(Guid.NewGuid(), plan.Fingerprint).ShouldBeNull("another tenant's plan is not this one's");

        _time.Advance(TimeSpan.FromSeconds(2));
        recent.Find(plan.TenantId, plan.Fingerprint).ShouldBeNull();
        recent.Count.ShouldBe(0, "an expired plan is let go, not only hidden");
    }

    [Fact]
    public void Each_tenant_keeps_its_latest_plans_only()
    {
        var recent = new RecentPlans(_time);
        var tenantId = Guid.NewGuid();
        var plans = Enumerable.Range(0, RecentPlans.PerTenant + 2).Select(i => PlanFor(tenantId, $"value {i}")).ToList();
        foreach (var plan in plans)
        {
            recent.Remember(plan);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        plans.Take(2).ShouldAllBe(p => recent.Find(tenantId, p.Fingerprint) == null);
        plans.Skip(2).ShouldAllBe(p => recent.Find(tenantId, p.Fingerprint) == p);
        recent.Count.ShouldBe(RecentPlans.PerTenant);
    }

    [Fact]
    public void Across_many_tenants_the_oldest_plans_are_let_go_beyond_the_maximum()
    {
        var recent = new RecentPlans(_time);
        var plans = Enumerable.Range(0, RecentPlans.MaxPlans + 10).Select(_ => PlanFor(Guid.NewGuid(), "Suspended")).ToList();
        foreach (var plan in plans)
        {
            recent.Remember(plan);
        }

        recent.Count.ShouldBe(RecentPlans.MaxPlans);
        plans.Take(10).ShouldAllBe(p => recent.Find(p.TenantId, p.Fingerprint) == null);
        plans.Skip(10).ShouldAllBe(p => recent.Find(p.TenantId, p.Fingerprint) == p);
    }

    [Fact]
    public void Remembering_a_plan_again_makes_it_the_latest()
    {
        var recent = new RecentPlans(_time);
        var first = PlanFor(Guid.NewGuid(), "Suspended");
        recent.Remember(first);
        _time.Advance(RecentPlans.MaxAge / 2);
        recent.Remember(first with { CreatedAt = DateTimeOffset.UnixEpoch.AddDays(1) });

        _time.Advance(RecentPlans.MaxAge / 2 + TimeSpan.FromSeconds(1));

        recent.Find(first.TenantId, first.Fingerprint).ShouldNotBeNull("shown again half an hour ago, so still recent");
        recent.Count.ShouldBe(1);
    }
}
