using Bunit;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Components.Drift;
using SplitCcp.Web.Components.Pages;

namespace SplitCcp.Tests.Components.Pages;

public sealed class HomePageTests : IAsyncLifetime
{
    private DriftComponentHost _host = null!;

    public async Task InitializeAsync() => _host = await DriftComponentHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Render_OperatorWithoutTenants_PointsToCreateAndDemoTenantInsteadOfTheDashboard()
    {
        await using var ctx = _host.CreateContext();

        var cut = ctx.Render<HomePage>();

        cut.WaitForAssertion(() => cut.Find("[data-testid=home-empty]").TextContent.ShouldContain("Create your first tenant"));
        cut.FindAll("[data-testid=demo-tenant-home]").Count.ShouldBe(1);
        cut.FindAll("[data-testid=health-table]").ShouldBeEmpty();
        cut.Find("[data-testid=home-empty]").TextContent.ShouldContain("Invite the customer's admins on the Users page, as tenant admin or viewer of that tenant.");
    }

    [Fact]
    public async Task Render_ViewerWithoutTenants_AsksForAnAssignment()
    {
        var viewer = await _host.Host.CreateUserAsync(Roles.Viewer);
        await using var ctx = _host.CreateContext(viewer);

        var cut = ctx.Render<HomePage>();

        cut.WaitForAssertion(() => cut.Find("[data-testid=home-empty]").TextContent.ShouldContain("No tenant is assigned to you yet."));
        cut.FindAll("[data-testid=demo-tenant-home]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Render_WithTenants_ShowsTheDashboard()
    {
        var tenant = await _host.CreateTenantAsync("alpha", "Alpha Care");
        await _host.StoreCheckAsync(tenant.Id, TenantHealthStatus.Healthy);
        await using var ctx = _host.CreateContext();

        var cut = ctx.Render<HomePage>();

        cut.WaitForAssertion(() => cut.Find("[data-testid=health-row]").GetAttribute("data-status").ShouldBe("Healthy"));
        cut.FindAll("[data-testid=home-empty]").ShouldBeEmpty();
    }
}
