using Microsoft.Playwright;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

/// <summary>A newcomer's first minutes: the demo tenant planned, applied with its progress live, its manual step done, and drift shown.</summary>
[Collection(BrowserTests.Name)]
public sealed class DemoTenantJourneyTests(BrowserFixture browser) : PortalTest(browser)
{
    private static readonly LocatorAssertionsToHaveAttributeOptions s_applyTimeout = new() { Timeout = 90_000 };

    // A plan right after an apply shares Connect's 2 calls/s per operation with the plan and the check that followed the
    // apply, so on a busy machine it takes longer than an assertion's default 5 s.
    private static readonly LocatorAssertionsToHaveAttributeOptions s_planTimeout = new() { Timeout = 30_000 };

    protected override void Configure(SplitCcpWebFactory app)
    {
        // AWS's slow operations, shortened: still slow enough that the page must show them waiting.
        app.WithSetting("SplitCcp:Sandbox:InstanceCreation", "00:00:03")
            .WithSetting("SplitCcp:Sandbox:PhoneNumberClaim", "00:00:01")
            .WithSetting("SplitCcp:Sandbox:FleetStart", "00:00:02")
            .WithSetting("SplitCcp:Sandbox:ImageBuilderStart", "00:00:01")
            .WithSetting("SplitCcp:Sandbox:DistributionDeployment", "00:00:01")
            .WithSetting("SplitCcp:Sandbox:Latency", "00:00:00.010")
            .WithSetting("SplitCcp:Reconciliation:PollInitialInterval", "00:00:00.250")
            .WithSetting("SplitCcp:Reconciliation:PollMaxInterval", "00:00:01")
            // The drift worker checks a tenant when an apply of it finishes; its passes are an hour apart here.
            .WithSetting("SplitCcp:Drift:Enabled", "true")
            .WithSetting("SplitCcp:Drift:Interval", "01:00:00");
    }

    [Fact]
    public async Task The_demo_tenant_is_planned_and_applied_from_the_ui_with_its_progress_shown()
    {
        var page = Portal.Page;
        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.WaitForInteractiveAsync();
        await Portal.ByTestId("demo-tenant-home").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/tenants/[^/?#]+$"), new() { Timeout = 60_000 });
        await Assertions.Expect(Portal.ByTestId("tenant-title")).ToHaveTextAsync("Demo contact center");
        await Portal.WaitForInteractiveAsync();
        await Assertions.Expect(Portal.ByTestId("plan-empty")).ToBeVisibleAsync();
        await Assertions.Expect(Portal.ByTestId("download-agent-chrome.reg")).ToHaveCountAsync(0);

        // Plan: nothing exists yet, so most resources are to be created; the image is a console step.
        await Portal.ByTestId("plan-button").ClickAsync();
        await Assertions.Expect(Item(ResourceKeys.ConnectInstance)).ToHaveAttributeAsync("data-action", "Create");
        await Assertions.Expect(Item(ResourceKeys.Image)).ToHaveAttributeAsync("data-action", "Manual");
        await Assertions.Expect(Item(ResourceKeys.Fleet)).ToHaveAttributeAsync("data-action", "Blocked");
        await Portal.ScreenshotAsync("demo-plan");

        // Apply: the confirmation lists the changes, then every step shows its progress.
        await Portal.ByTestId("apply-button").ClickAsync();
        await Portal.ByTestId("apply-dialog-item").First.WaitForAsync();
        var items = await Portal.ByTestId("apply-dialog-item").CountAsync();
        items.ShouldBeGreaterThan(15);
        await Portal.ScreenshotAsync("demo-apply-confirm");
        await Portal.ByTestId("apply-confirm").ClickAsync();
        var progress = Portal.ByTestId("apply-progress");
        await Assertions.Expect(progress).ToHaveAttributeAsync("data-state", "Running");
        var waiting = page.Locator("[data-testid=apply-step][data-state=InProgress]");
        await Assertions.Expect(waiting.First).ToContainTextAsync("still creating instance");
        await Portal.ScreenshotAsync("demo-apply-in-progress");
        await Assertions.Expect(progress).ToHaveAttributeAsync("data-state", "Succeeded", s_applyTimeout);
        (await Portal.ByTestId("apply-status").InnerTextAsync()).ShouldStartWith("Apply finished");

        // The other cards follow the apply without a reload: the message that it started goes, the browser policies that need
        // the CloudFront domain it created can be downloaded, and the drift card shows the check the portal makes after an apply.
        await Assertions.Expect(page.Locator(".mud-snackbar", new() { HasText = "Apply started" })).ToHaveCountAsync(0, new() { Timeout = 2_000 });
        await Assertions.Expect(Portal.ByTestId("download-agent-chrome.reg")).ToBeVisibleAsync();
        await Assertions.Expect(Portal.ByTestId("drift-checked")).ToContainTextAsync("Checked", new() { Timeout = 30_000 });
        await Assertions.Expect(Portal.ByTestId("check-now")).ToHaveTextAsync("Check now");
        await Assertions.Expect(Portal.ByTestId("check-now")).ToBeEnabledAsync();
        await Portal.ScreenshotAsync("demo-cards-after-apply");

        // The page plans again by itself: only the console step and what waits for it remain.
        await Assertions.Expect(Item(ResourceKeys.ConnectInstance)).ToHaveAttributeAsync("data-action", "InSync", s_planTimeout);
        await Assertions.Expect(Item(ResourceKeys.Image)).ToHaveAttributeAsync("data-action", "Manual");
        await Portal.ScreenshotAsync("demo-applied");

        // Do the console step in the Sandbox, then apply the fleet, which the page shows starting.
        await Item(ResourceKeys.Image).Locator("[data-testid=sandbox-menu] button").ClickAsync();
        await Portal.ByTestId("sandbox-complete").ClickAsync();
        await Assertions.Expect(Item(ResourceKeys.Fleet)).ToHaveAttributeAsync("data-action", "Create", s_planTimeout);
        await Portal.ByTestId("apply-button").ClickAsync();
        await Portal.ByTestId("apply-confirm").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=apply-step][data-state=InProgress]").First).ToContainTextAsync("fleet");
        await Assertions.Expect(progress).ToHaveAttributeAsync("data-state", "Succeeded", s_applyTimeout);
        await Assertions.Expect(Portal.ByTestId("plan-in-sync")).ToBeVisibleAsync();
        await Portal.ScreenshotAsync("demo-in-sync");

        // Drift: delete the bucket policy "in the console"; the next plan wants it back.
        await Item(ResourceKeys.BucketPolicy).Locator("[data-testid=sandbox-menu] button").ClickAsync();
        await Portal.ByTestId("sandbox-delete").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete it" }).ClickAsync();
        await Assertions.Expect(Item(ResourceKeys.BucketPolicy)).ToHaveAttributeAsync("data-action", "Create");
        await Assertions.Expect(Portal.ByTestId("audit-history")).ToContainTextAsync("Simulated a console change: deleted S3 bucket policy");
        await Portal.ScreenshotAsync("demo-drift");
        DialogSeen.ShouldBeFalse();
    }

    private ILocator Item(string key) => Portal.Page.Locator($"[data-testid=plan-item][data-key=\"{key}\"]");
}
