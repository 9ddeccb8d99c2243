using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Core.Reconciliation;

/// <summary>
/// An apply runs the plan its caller confirmed, named by its fingerprint: refused with the plan now when that differs,
/// stored as its steps when accepted, and run from them with no plan of its own and one opening of the tenant's account.
/// </summary>
[Collection(RealTimeTests.Name)]
public sealed class ConfirmedPlanApplyTests
{
    [Fact]
    public async Task The_plan_accepted_is_stored_as_the_applys_steps_and_the_apply_makes_no_plan_of_its_own()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        var plans = CountPlans(host, tenant);
        var confirmed = await host.PlanAsync(tenant.Id);

        var accepted = (await host.Reconciliation.StartApplyAsync(host.Operator.Principal, tenant.Id, confirmed.Fingerprint))
            .ShouldBeOfType<ApplyStartResult.Started>().Apply;
        var plansWhenAccepted = plans.Count;
        var apply = await host.WaitAsync(tenant.Id, accepted.Id);

        accepted.Steps.Select(s => (s.ResourceKey, s.Action)).ShouldBe(confirmed.Items.Where(i => i.Action != PlanAction.InSync)
            .Select(i => (i.Key, i.Action is PlanAction.Create or PlanAction.Update ? i.Action.ToString() : "")));
        apply.State.ShouldBe(ApplyState.Succeeded, apply.Error);
        plansWhenAccepted.ShouldBe(2, "the plan confirmed, and the one made to compare it with when the apply was asked for");
        plans.Count.ShouldBe(plansWhenAccepted, "the apply ran the steps stored when it was accepted, without planning again");
    }

    [Fact]
    public async Task An_apply_opens_the_tenants_account_once_for_its_run_and_the_whole_apply_retries_in_it()
    {
        var opens = new CountingAccounts();
        await using var host = await ReconciliationTestHost.StartAsync(
            extraSettings: new Dictionary<string, string?>
            {
                ["SplitCcp:Aws:Retry:MaxRetries"] = "1",
                ["SplitCcp:Reconciliation:ApplyRetries"] = "3",
                ["SplitCcp:Reconciliation:ApplyRetryDelay"] = "00:00:00.300",
            },
            configureServices: opens.AddTo);
        var tenant = await host.CreateDemoAsync();
        var plans = CountPlans(host, tenant);
        host.SandboxOptions.ThrottleRate = 1;

        var started = await host.StartApplyAsync(tenant.Id);
        await ApplyRetryTests.WaitForRetryAsync(host, tenant.Id, started.Id);
        host.SandboxOptions.ThrottleRate = 0;
        var apply = await host.WaitAsync(tenant.Id, started.Id);

        apply.State.ShouldBe(ApplyState.Succeeded, apply.Error);
        apply.Retries.ShouldBe(1);
        plans.Count.ShouldBe(2, "the plan confirmed and the one it was compared with; each opens the account once");
        (opens.Of(tenant.Id) - plans.Count).ShouldBe(1, "the apply opened the account once, for its first pass and its retry alike");
    }

    [Fact]
    public async Task A_plan_confirmed_before_AWS_changed_is_refused_with_the_plan_now_and_what_changed()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        var confirmed = await host.PlanAsync(tenant.Id);
        await host.Services.GetRequiredService<SandboxChanges>().ApplyAsync(host.Operator.Principal, tenant.Id,
            new SandboxChangeRequest(ResourceKeys.BucketPolicy, SandboxChangeKind.Delete));

        var refused = (await host.Reconciliation.StartApplyAsync(host.Operator.Principal, tenant.Id, confirmed.Fingerprint))
            .ShouldBeOfType<ApplyStartResult.PlanChanged>();

        refused.Plan.Fingerprint.ShouldNotBe(confirmed.Fingerprint);
        refused.Plan.Items.Single(i => i.Key == ResourceKeys.BucketPolicy).Action.ShouldBe(PlanAction.Create);
        var change = refused.Changes.ShouldNotBeNull().ShouldHaveSingleItem();
        (change.Key, change.Kind, change.Was, change.Now).ShouldBe((ResourceKeys.BucketPolicy, PlanChangeKind.Changed, PlanAction.InSync, PlanAction.Create));
        (await host.Reconciliation.ListAppliesAsync(host.Operator.Principal, tenant.Id)).ShouldNotBeNull().Count.ShouldBe(2, "only the two applies that converged it");

        var apply = await host.WaitAsync(tenant.Id, (await host.Reconciliation.StartApplyAsync(host.Operator.Principal, tenant.Id, refused.Plan.Fingerprint))
            .ShouldBeOfType<ApplyStartResult.Started>().Apply.Id);
        apply.State.ShouldBe(ApplyState.Succeeded, apply.Error);
        apply.Steps.ShouldHaveSingleItem().ResourceKey.ShouldBe(ResourceKeys.BucketPolicy);
    }

    [Fact]
    public async Task An_apply_without_a_fingerprint_is_refused_before_anything_is_planned()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        var plans = CountPlans(host, tenant);

        var missing = await host.Reconciliation.StartApplyAsync(host.Operator.Principal, tenant.Id, null);
        var malformed = await host.Reconciliation.StartApplyAsync(host.Operator.Principal, tenant.Id, "abc");

        missing.ShouldBeOfType<ApplyStartResult.Invalid>().Errors[ReconciliationService.PlanFingerprintField].ShouldHaveSingleItem().ShouldContain("plan first");
        malformed.ShouldBeOfType<ApplyStartResult.Invalid>().Errors[ReconciliationService.PlanFingerprintField].ShouldHaveSingleItem().ShouldContain("64 hex digits");
        plans.Count.ShouldBe(0);
    }

    private static PlanCount CountPlans(ReconciliationTestHost host, TenantView tenant)
    {
        var count = new PlanCount();
        host.Services.GetRequiredService<Reconciler>().OnPlanned = plan =>
        {
            if (plan.TenantId == tenant.Id)
            {
                count.Add();
            }
        };
        return count;
    }

    private sealed class PlanCount
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }

    /// <summary>The portal's account factory, counting how often each tenant's account is opened.</summary>
    private sealed class CountingAccounts
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> _opens = new();

        public int Of(Guid tenantId) => _opens.GetValueOrDefault(tenantId);

        public void AddTo(IServiceCollection services)
        {
            services.AddSingleton<AwsAccounts>();
            services.AddSingleton<IAwsAccountFactory>(sp => new Counting(sp.GetRequiredService<AwsAccounts>(), this));
        }

        private sealed class Counting(IAwsAccountFactory inner, CountingAccounts counts) : IAwsAccountFactory
        {
            public Task<IAwsAccount> OpenAsync(TenantView tenant, CancellationToken ct)
            {
                counts._opens.AddOrUpdate(tenant.Id, 1, (_, n) => n + 1);
                return inner.OpenAsync(tenant, ct);
            }
        }
    }
}
