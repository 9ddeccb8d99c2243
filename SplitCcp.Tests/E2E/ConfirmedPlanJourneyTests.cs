using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

/// <summary>
/// Apply runs the plan the operator confirmed: when AWS changes between the plan on the page and the click on Apply, the
/// portal refuses it, the page shows the plan now with what changed, and it is that plan the operator confirms and applies.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class ConfirmedPlanJourneyTests(BrowserFixture browser) : PortalTest(browser)
{
    private static readonly LocatorAssertionsToHaveAttributeOptions s_applyTimeout = new() { Timeout = 90_000 };

    protected override void Configure(SplitCcpWebFactory app) => app.WithQuickSandbox();

    [Fact]
    public async Task A_plan_that_changed_behind_the_pages_back_is_shown_with_what_changed_and_confirmed_again_before_it_applies()
    {
        var api = App.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var tenantId = await api.CreateDemoTenantAsync();
        await api.ApplyAsync(tenantId);
        await api.TamperAsync(tenantId, new { resource = ResourceKeys.Bucket, change = "Alter", field = "blockPublicAcls", value = "false" });

        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.GotoAsync($"/tenants/{tenantId}");
        await Portal.WaitForInteractiveAsync();
        await Portal.ByTestId("plan-button").ClickAsync();
        await Assertions.Expect(Item(ResourceKeys.Bucket)).ToHaveAttributeAsync("data-action", "Update");
        await Assertions.Expect(Item(ResourceKeys.BucketPolicy)).ToHaveAttributeAsync("data-action", "InSync");

        // While the operator reads the plan, someone deletes the bucket policy in the AWS console.
        await api.TamperAsync(tenantId, new { resource = ResourceKeys.BucketPolicy, change = "Delete" });
        await Portal.ByTestId("apply-button").ClickAsync();
        await Assertions.Expect(DialogItems()).ToHaveTextAsync([new Regex("S3 bucket for the CCP pages")]);
        await Portal.ByTestId("apply-confirm").ClickAsync();

        // Refused: the page asks again, about the plan now, saying what changed.
        var notice = Portal.Page.Locator(".mud-dialog [data-testid=plan-changed]");
        await Assertions.Expect(notice).ToBeVisibleAsync();
        var change = notice.Locator("[data-testid=plan-change]");
        await Assertions.Expect(change).ToHaveCountAsync(1);
        await Assertions.Expect(change).ToHaveAttributeAsync("data-key", ResourceKeys.BucketPolicy);
        await Assertions.Expect(change).ToContainTextAsync("Was in sync, now to create.");
        await Assertions.Expect(DialogItems()).ToHaveCountAsync(2);
        await Assertions.Expect(DialogItems().Filter(new() { HasText = "S3 bucket policy" })).ToHaveCountAsync(1);
        await Assertions.Expect(Item(ResourceKeys.BucketPolicy)).ToHaveAttributeAsync("data-action", "Create");
        await Assertions.Expect(Portal.ByTestId("apply-progress")).ToHaveCountAsync(0);
        await Portal.ScreenshotAsync("plan-changed", Portal.Page.Locator(".mud-dialog"));

        await Portal.ByTestId("apply-confirm").ClickAsync();
        await Assertions.Expect(Portal.ByTestId("apply-progress")).ToHaveAttributeAsync("data-state", "Succeeded", s_applyTimeout);
        await Assertions.Expect(Portal.ByTestId("apply-status")).ToHaveTextAsync("Apply finished: 2 changes made");
        await Assertions.Expect(Item(ResourceKeys.BucketPolicy)).ToHaveAttributeAsync("data-action", "InSync", new() { Timeout = 30_000 });
        await Assertions.Expect(Item(ResourceKeys.Bucket)).ToHaveAttributeAsync("data-action", "InSync");
        await Assertions.Expect(Portal.ByTestId("plan-changed")).ToHaveCountAsync(0);
        await Portal.ScreenshotAsync("applied");
        DialogSeen.ShouldBeFalse();
    }

    private ILocator DialogItems() => Portal.Page.Locator("[data-testid=apply-dialog-item]");

    private ILocator Item(string key) => Portal.Page.Locator($"[data-testid=plan-item][data-key=\"{key}\"]");
}
