using Bunit;
using SplitCcp.Core.Security;
using SplitCcp.Web.Components.Layout;

namespace SplitCcp.Tests.Components.Layout;

public sealed class NavMenuTests
{
    [Fact]
    public async Task Render_MspOperator_OffersUsersAndActivity()
    {
        await using var ctx = MudTestContext.Create(c => c.AddAuthorization().SetAuthorized("ops@example.com").SetRoles(Roles.MspOperator));

        var cut = ctx.Render<NavMenu>();

        cut.Find("a[href='/activity']").TextContent.Trim().ShouldBe("Activity");
        cut.FindAll("a[href='/users']").Count.ShouldBe(1);
    }

    [Theory]
    [InlineData(Roles.TenantAdmin)]
    [InlineData(Roles.Viewer)]
    public async Task Render_NotAnOperator_OffersNeitherUsersNorActivity(string role)
    {
        await using var ctx = MudTestContext.Create(c => c.AddAuthorization().SetAuthorized("someone@example.com").SetRoles(role));

        var cut = ctx.Render<NavMenu>();

        cut.FindAll("a[href='/activity']").ShouldBeEmpty();
        cut.FindAll("a[href='/users']").ShouldBeEmpty();
        cut.FindAll("a[href='/profile']").Count.ShouldBe(1, "the menu did render");
    }

    [Theory]
    [InlineData(Roles.MspOperator)]
    [InlineData(Roles.TenantAdmin)]
    [InlineData(Roles.Viewer)]
    public async Task Render_AnyRole_OffersBulkChanges_AViewerForPlans(string role)
    {
        await using var ctx = MudTestContext.Create(c => c.AddAuthorization().SetAuthorized("someone@example.com").SetRoles(role));

        var cut = ctx.Render<NavMenu>();

        cut.Find("a[href='/bulk']").TextContent.Trim().ShouldBe("Bulk changes");
    }
}
