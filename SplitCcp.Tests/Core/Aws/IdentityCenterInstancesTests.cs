using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Core.Aws;

/// <summary>Finding where a tenant's Identity Center lives, against its Sandbox account (whose instance is not in the tenant's region).</summary>
public sealed class IdentityCenterInstancesTests : IAsyncLifetime
{
    private CoreTestHost _host = null!;
    private TestUser _operator = null!;
    private TenantView _tenant = null!;

    private IdentityCenterInstances Instances => _host.Services.GetRequiredService<IdentityCenterInstances>();

    private SandboxConsole Console => _host.Services.GetRequiredService<SandboxConsole>();

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync();
        _operator = await _host.CreateOperatorAsync();
        _tenant = await _host.CreateTenantAsync(_operator.Principal, "find-co", "Find Co");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task FindAsync_IdentityCenterInAnotherRegion_IsFoundThere()
    {
        var world = await Console.GetWorldAsync(_tenant.Id);

        var found = (await Instances.FindAsync(await _host.TenantAsync(_operator.Principal, _tenant.Id))).ShouldBeOfType<IdentityCenterSearch.Found>();

        found.Region.ShouldBe("us-east-1");
        found.Region.ShouldNotBe(_tenant.Region);
        (found.Instance.InstanceArn, found.Instance.IdentityStoreId).ShouldBe((world.IdentityCenterInstanceArn, world.IdentityStoreId));
    }

    [Fact]
    public async Task FindAsync_NoInstanceAnywhere_SaysWhereItLookedAndWhatToDo()
    {
        var world = await Console.GetWorldAsync(_tenant.Id);
        (await Console.DeleteAsync(_tenant.Id, SandboxKinds.IdentityCenterInstance, world.IdentityCenterInstanceArn)).ShouldBeTrue();

        var notFound = (await Instances.FindAsync(await _host.TenantAsync(_operator.Principal, _tenant.Id))).ShouldBeOfType<IdentityCenterSearch.NotFound>();

        notFound.Reason.ShouldBe(
            $"No IAM Identity Center instance answered in the {AwsPartitions.Commercial.IdentityCenterRegions.Count} regions asked. Enable Identity Center in the account, or enter the region its metadata URL names.");
    }

    [Fact]
    public async Task FindAsync_TenantDeletedSinceTheCheck_IsNull()
    {
        var checkedTenant = await _host.TenantAsync(_operator.Principal, _tenant.Id);
        (await _host.Tenants.DeleteAsync(checkedTenant)).ShouldBeTrue();

        (await Instances.FindAsync(checkedTenant)).ShouldBeNull();
    }

    [Fact]
    public void LikelyRegions_AreTheTenantsThenConnectsThenTheRestOfThePartitions()
    {
        var regions = IdentityCenterInstances.LikelyRegions("eu-west-2");

        regions[0].ShouldBe("eu-west-2");
        regions.Skip(1).Take(8).ShouldBe(AwsPartitions.Commercial.Regions.Where(r => r != "eu-west-2"));
        regions.Order(StringComparer.Ordinal).ToList().ShouldBe(AwsPartitions.Commercial.IdentityCenterRegions, "each region where Identity Center runs, once");
        IdentityCenterInstances.LikelyRegions("us-gov-west-1").ShouldBe(["us-gov-west-1", "us-gov-east-1"]);
    }
}
