using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

/// <summary>An operator applies the setup to several tenants from the Bulk changes page and watches the waves to the summary.</summary>
[Collection(BrowserTests.Name)]
public sealed class BulkChangesJourneyTests(BrowserFixture browser) : PortalTest(browser)
{
    private static readonly LocatorAssertionsToHaveAttributeOptions s_bulkTimeout = new() { Timeout = 120_000 };

    protected override void Configure(SplitCcpWebFactory app) => app.WithQuickSandbox().WithSetting("SplitCcp:Bulk:PollInterval", "00:00:00.100");

    [Fact]
    public async Task Tenants_chosen_on_the_page_are_applied_in_waves_with_the_progress_shown_to_the_summary()
    {
        var tenants = new List<TenantView>();
        for (var i = 0; i < 3; i++)
        {
            tenants.Add(await App.Services.GetRequiredService<DemoTenants>().CreateAsync(App.Operator()));
        }

        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.WaitForInteractiveAsync();
        await Portal.ByTestId("nav-bulk").ClickAsync();
        await Portal.WaitForPathAsync("/bulk");
        await Portal.WaitForInteractiveAsync();
        await Assertions.Expect(Portal.ByTestId("bulk-recent-empty")).ToBeVisibleAsync();
        await Assertions.Expect(Portal.ByTestId("bulk-tenant-row")).ToHaveCountAsync(3);

        // Every tenant the table shows, an apply, waves of one: the canary, then a wave for each of the other two.
        await Portal.ByTestId("bulk-tenants").Locator("thead input[type=checkbox]").CheckAsync();
        await Assertions.Expect(Portal.ByTestId("bulk-selection")).ToHaveTextAsync("3 tenants chosen: 2 waves, the canary first.");
        await Portal.ByTestId("bulk-operation").ClickAsync();
        await Portal.Page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Apply" }).ClickAsync();
        await Portal.Input("bulk-wave-size").FillAsync("1");
        await Portal.Input("bulk-wave-size").BlurAsync();
        await Assertions.Expect(Portal.ByTestId("bulk-selection")).ToHaveTextAsync("3 tenants chosen: 3 waves, the canary first.");
        await Assertions.Expect(Portal.ByTestId("bulk-start")).ToHaveTextAsync("Apply 3 tenants");
        await Portal.ByTestId("bulk-start").ClickAsync();

        var dialog = Portal.Page.Locator(".mud-dialog");
        await Assertions.Expect(dialog).ToContainTextAsync("3 tenants in 3 waves");
        await Portal.ScreenshotAsync("bulk-apply-confirm");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Apply to 3 tenants" }).ClickAsync();

        await Assertions.Expect(Portal.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/bulk/[^/?#]+$"), new() { Timeout = 60_000 });
        await Assertions.Expect(Portal.ByTestId("bulk-wave")).ToHaveCountAsync(3);
        await Assertions.Expect(Portal.ByTestId("bulk-summary")).ToHaveAttributeAsync("data-state", "Succeeded", s_bulkTimeout);
        await Assertions.Expect(Portal.ByTestId("bulk-summary")).ToHaveTextAsync("Done in 3 waves: 3 tenants applied.");
        await Assertions.Expect(Portal.Page.Locator("[data-testid=bulk-tenant][data-state=Succeeded]")).ToHaveCountAsync(3);
        await Assertions.Expect(Portal.Page.Locator("[data-testid=bulk-wave][data-state=Succeeded]")).ToHaveCountAsync(3);
        await Assertions.Expect(Portal.ByTestId("bulk-cancel")).ToHaveCountAsync(0);
        await Portal.ScreenshotAsync("bulk-apply-done");

        await Portal.ByTestId("nav-bulk").ClickAsync();
        await Assertions.Expect(Portal.ByTestId("bulk-recent-link")).ToHaveCountAsync(1);
        await Assertions.Expect(Portal.ByTestId("bulk-recent")).ToContainTextAsync("Bulk apply of 3 tenants");
    }

    [Fact]
    public async Task With_no_tenants_the_page_says_there_is_nothing_to_change()
    {
        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.GotoAsync("/bulk");
        await Portal.WaitForInteractiveAsync();

        await Assertions.Expect(Portal.ByTestId("bulk-empty")).ToContainTextAsync("No tenants to change");
        await Assertions.Expect(Portal.ByTestId("bulk-start")).ToHaveCountAsync(0);
        await Assertions.Expect(Portal.ByTestId("bulk-recent-empty")).ToBeVisibleAsync();
    }
}
