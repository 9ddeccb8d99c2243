using Bunit;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Core;
using SplitCcp.Web.Components.Reconciliation;

namespace SplitCcp.Tests.Components.Reconciliation;

/// <summary>A plan row's "simulate a console change" menu on a Sandbox tenant: which changes it offers for which rows.</summary>
public sealed class SandboxChangeMenuTests : IAsyncLifetime
{
    private CoreTestHost _host = null!;
    private AuthorizedTenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync();
        var operatorUser = await _host.CreateOperatorAsync();
        _tenant = await _host.TenantAsync(operatorUser.Principal, (await _host.CreateTenantAsync(operatorUser.Principal, "acme")).Id);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(ResourceKeys.IdentityCenterApplication, "create the SAML application")]
    [InlineData(ResourceKeys.Image, "capture the image")]
    public async Task Open_ManualRowWithNothingMadeYet_OffersItsConsoleStep(string key, string step)
    {
        await using var ctx = CreateContext();
        var provider = ctx.RenderPopoverProvider();
        var cut = Render(ctx, Item(key, PlanAction.Manual), new SandboxTarget(null, [], step));

        await cut.Find("[data-testid=sandbox-menu] button").ClickAsync(new());

        provider.WaitForAssertion(() => provider.Find("[data-testid=sandbox-complete]").TextContent.Trim().ShouldBe($"Do the console step ({step})"));
        provider.FindAll("[data-testid=sandbox-delete]").ShouldBeEmpty("nothing exists to delete yet");
    }

    [Fact]
    public async Task Render_RowWithAMenu_ItsIconButtonIsNamedForTheRowAndHasATooltip()
    {
        await using var ctx = CreateContext();
        var provider = ctx.RenderPopoverProvider();
        var cut = Render(ctx, Item(ResourceKeys.Image, PlanAction.Manual), new SandboxTarget(null, [], "capture the image"));

        var button = cut.Find("[data-testid=sandbox-menu] button");
        button.GetAttribute("aria-label").ShouldBe($"Simulate a console change to {ResourceKeys.Image}");

        await cut.Find(".mud-tooltip-root").TriggerEventAsync("onpointerenter", new Microsoft.AspNetCore.Components.Web.PointerEventArgs());
        provider.WaitForAssertion(() => provider.Find(".mud-tooltip").TextContent.Trim().ShouldBe("Simulate a console change"));
    }

    [Fact]
    public async Task Render_ApplicationThatExists_OffersNoConsoleStepButDeleteAndAlter()
    {
        await using var ctx = CreateContext();
        var provider = ctx.RenderPopoverProvider();
        var arn = "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef";
        var cut = Render(ctx, Item(ResourceKeys.IdentityCenterApplication, PlanAction.InSync), new SandboxTarget(arn, ["status"], null));

        await cut.Find("[data-testid=sandbox-menu] button").ClickAsync(new());

        provider.WaitForAssertion(() => provider.FindAll("[data-testid=sandbox-delete]").ShouldNotBeEmpty());
        provider.FindAll("[data-testid=sandbox-alter]").ShouldNotBeEmpty();
        provider.FindAll("[data-testid=sandbox-complete]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Open_ObjectWithNoFieldToAlter_OffersDeleteOnly()
    {
        await using var ctx = CreateContext();
        var provider = ctx.RenderPopoverProvider();
        var cut = Render(ctx, Item(ResourceKeys.StackFleet, PlanAction.InSync), new SandboxTarget("stack|fleet", [], null));

        await cut.Find("[data-testid=sandbox-menu] button").ClickAsync(new());

        provider.WaitForAssertion(() => provider.FindAll("[data-testid=sandbox-delete]").ShouldNotBeEmpty());
        provider.FindAll("[data-testid=sandbox-alter]").ShouldBeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Render_ResourceWithoutConsoleStepNotMadeYet_ShowsNoMenu(bool targetKnown)
    {
        await using var ctx = CreateContext();
        var cut = Render(ctx, Item(ResourceKeys.Bucket, PlanAction.Create), targetKnown ? new SandboxTarget(null, ["objectOwnership"], null) : null);

        cut.FindAll("[data-testid=sandbox-menu]").ShouldBeEmpty();
    }

    private Bunit.BunitContext CreateContext() => MudTestContext.Create(ctx =>
    {
        ctx.Services.AddSingleton(_host.Services.GetRequiredService<SandboxChanges>());
        ctx.AddAuthorization().SetAuthorized("operator@example.com");
    });

    private IRenderedComponent<SandboxChangeMenu> Render(Bunit.BunitContext ctx, PlanItem item, SandboxTarget? target) =>
        ctx.Render<SandboxChangeMenu>(p => p.Add(m => m.Item, item).Add(m => m.Target, target).Add(m => m.Authorized, _tenant));

    private static PlanItem Item(string key, PlanAction action) => new(key, key, SpecSection.IdentityCenter, action, [], [], null, []);
}
