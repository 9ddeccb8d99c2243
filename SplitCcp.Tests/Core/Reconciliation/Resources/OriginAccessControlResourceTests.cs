using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Reconciliation.Resources;

/// <summary>
/// The origin access control is found again by its name, made from the bucket's. The default bucket name starts with
/// splitccp- already, and the portal once put a second splitccp- before it: an OAC made under that name still counts.
/// </summary>
[Collection(RealTimeTests.Name)]
public sealed class OriginAccessControlResourceTests
{
    [Fact]
    public async Task Apply_DefaultBucketName_NamesTheOriginAccessControlWithOnePrefix()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        var bucket = await BucketAsync(host, tenant);

        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);

        bucket.ShouldStartWith("splitccp-");
        (await OacNamesAsync(host, tenant)).ShouldBe([bucket]);
    }

    [Fact]
    public async Task Plan_OriginAccessControlMadeUnderTheOldDoubledName_IsFoundInSyncAndNoSecondOneIsMade()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        var bucket = await BucketAsync(host, tenant);
        var account = await host.Services.GetRequiredService<IAwsAccountFactory>().OpenAsync(tenant, CancellationToken.None);
        var old = await account.CloudFront.CreateOriginAccessControlAsync($"splitccp-{bucket}", CancellationToken.None);

        var plan = await host.PlanAsync(tenant.Id);
        var target = (await host.Services.GetRequiredService<SandboxChanges>().TargetsAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))[ResourceKeys.OriginAccessControl];
        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);

        plan.Items.Single(i => i.Key == ResourceKeys.OriginAccessControl).Action.ShouldBe(PlanAction.InSync);
        target.ObjectId.ShouldBe(old.Id);
        (await OacNamesAsync(host, tenant)).ShouldBe([$"splitccp-{bucket}"]);
        (await host.PlanAsync(tenant.Id)).Items.Single(i => i.Key == ResourceKeys.OriginAccessControl).Action.ShouldBe(PlanAction.InSync);
    }

    private static async Task<string> BucketAsync(ReconciliationTestHost host, TenantView tenant) =>
        (await host.Services.GetRequiredService<TenantSpecService>().GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record.Spec.Hosting.BucketName!;

    private static async Task<List<string>> OacNamesAsync(ReconciliationTestHost host, TenantView tenant) =>
        [.. (await host.Console.ListAsync(tenant.Id, SandboxKinds.CloudFrontOriginAccessControl))
            .Select(o => JsonDocument.Parse(o.Json).RootElement.GetProperty("name").GetString()!)];
}
