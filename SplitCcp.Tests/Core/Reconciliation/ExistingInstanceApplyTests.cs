using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Reconciliation;

/// <summary>
/// A customer who brings a Connect instance of their own: nothing slow waits in front of the hosting, so what one step of
/// an apply learns (the distribution's domain) must reach the steps after it in the same apply.
/// </summary>
[Collection(RealTimeTests.Name)]
public sealed class ExistingInstanceApplyTests
{
    [Fact]
    public async Task One_apply_with_an_existing_instance_and_CloudFront_approves_the_origin_it_just_created()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await UseExistingInstanceAsync(host, await host.CreateDemoAsync());

        var apply = await host.ApplyAsync(tenant.Id);

        apply.State.ShouldBe(ApplyState.Succeeded, apply.Error);
        apply.Steps.Where(s => s.State == ApplyStepState.Failed).Select(s => $"{s.Title}: {s.Message}").ShouldBeEmpty();
        var plan = await host.PlanAsync(tenant.Id);
        plan.Items.Single(i => i.Key == ResourceKeys.ConnectApprovedOrigin).Action.ShouldBe(PlanAction.InSync);
        plan.Items.Where(i => i.Action is PlanAction.Create or PlanAction.Update).Select(i => $"{i.Key}: {i.Action} {i.Reason}").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task A_blank_CloudFront_domain_in_the_setup_is_filled_by_the_distribution_the_apply_creates(string blank)
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await UseExistingInstanceAsync(host, await host.CreateDemoAsync(), blank);

        var apply = await host.ApplyAsync(tenant.Id);

        apply.State.ShouldBe(ApplyState.Succeeded, apply.Error);
        var domain = (await host.Services.GetRequiredService<TenantSpecService>().GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record.Spec.Hosting.CloudFrontDomain;
        domain.ShouldEndWith(".cloudfront.net");
        (await host.PlanAsync(tenant.Id)).Items.Single(i => i.Key == ResourceKeys.ConnectApprovedOrigin).Action.ShouldBe(PlanAction.InSync);
    }

    /// <summary>Points the demo's setup at the Sandbox's seeded SAML instance instead of creating one.</summary>
    internal static async Task<TenantView> UseExistingInstanceAsync(ReconciliationTestHost host, TenantView tenant, string? cloudFrontDomain = null)
    {
        var specs = host.Services.GetRequiredService<TenantSpecService>();
        var (_, record) = (await specs.GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value;
        var existing = SandboxConnect.Instances(tenant).Single(i => i.IdentityManagementType == "SAML");
        var spec = record.Spec;
        spec.Connect.InstanceMode = ConnectInstanceMode.UseExisting;
        spec.Connect.InstanceId = existing.Id;
        spec.Connect.InstanceAlias = existing.Alias;
        spec.Hosting.CloudFrontDomain = cloudFrontDomain;
        (await specs.SaveCompleteAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), spec, record.Version)).ShouldBeOfType<SpecSaveResult.Saved>();
        return tenant;
    }
}
