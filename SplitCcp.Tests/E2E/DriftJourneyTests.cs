using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

/// <summary>
/// An MSP operator with the dashboard open: someone changes a tenant's AWS account behind the portal's back, a check finds
/// it, the dashboard shows it without a reload, and "apply fix" brings the tenant back to healthy.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class DriftJourneyTests(BrowserFixture browser) : PortalTest(browser)
{
    private static readonly LocatorAssertionsToHaveAttributeOptions s_slow = new() { Timeout = 90_000 };

    protected override void Configure(SplitCcpWebFactory app)
    {
        app.WithSetting("SplitCcp:Sandbox:InstanceCreation", "00:00:01")
            .WithSetting("SplitCcp:Sandbox:PhoneNumberClaim", "00:00:00.500")
            .WithSetting("SplitCcp:Sandbox:FleetStart", "00:00:01")
            .WithSetting("SplitCcp:Sandbox:ImageBuilderStart", "00:00:00.500")
            .WithSetting("SplitCcp:Sandbox:DistributionDeployment", "00:00:00.500")
            .WithSetting("SplitCcp:Reconciliation:PollInitialInterval", "00:00:00.100")
            .WithSetting("SplitCcp:Reconciliation:PollMaxInterval", "00:00:00.500")
            .WithSetting("SplitCcp:Drift:Enabled", "true")
            .WithSetting("SplitCcp:Drift:Interval", "01:00:00");
    }

    [Fact]
    public async Task Drift_found_by_check_now_reaches_the_open_dashboard_without_a_reload_and_apply_fix_makes_it_healthy()
    {
        var api = App.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var tenantId = await api.CreateDemoTenantAsync();
        var dashboard = Portal;
        await dashboard.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);

        // The tenant's page is open while applies started elsewhere (here through the API) set the tenant up; the setup
        // files that need what they created become ready on it without a reload.
        var tenantTab = await OpenTabAsync("tenant");
        await tenantTab.GotoAsync($"/tenants/{tenantId}");
        await tenantTab.WaitForInteractiveAsync();
        await Assertions.Expect(tenantTab.ByTestId("download-agent-chrome.reg")).ToHaveCountAsync(0);
        await api.ConvergeAsync(tenantId);
        await Assertions.Expect(tenantTab.ByTestId("download-agent-chrome.reg")).ToBeVisibleAsync();

        // The dashboard, left open in its own tab. A marker on its window proves it is never reloaded.
        await dashboard.GotoAsync("/");
        await dashboard.WaitForInteractiveAsync();
        var row = dashboard.Page.Locator($"[data-testid=health-row][data-tenant-id=\"{tenantId}\"]");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "Healthy", s_slow);
        await dashboard.Page.EvaluateAsync("() => window.__notReloaded = true");
        await dashboard.ScreenshotAsync("dashboard-healthy");

        // Someone deletes the bucket policy in the AWS console; the operator checks the tenant now from its page.
        await Assertions.Expect(tenantTab.ByTestId("drift-status")).ToHaveAttributeAsync("data-status", "Healthy", s_slow);
        await api.TamperAsync(tenantId, new { resource = ResourceKeys.BucketPolicy, change = "Delete" });
        await tenantTab.ByTestId("check-now").ClickAsync();

        await Assertions.Expect(tenantTab.ByTestId("drift-status")).ToHaveAttributeAsync("data-status", "Drifted");
        var policy = tenantTab.Page.Locator($"[data-testid=drift-resource][data-key=\"{ResourceKeys.BucketPolicy}\"]");
        await Assertions.Expect(policy).ToHaveAttributeAsync("data-state", "Missing");
        await tenantTab.ScreenshotAsync("tenant-drifted");

        // The dashboard tab shows it by itself.
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "Drifted");
        await Assertions.Expect(DriftedCount(dashboard)).ToHaveTextAsync("1");
        (await dashboard.Page.EvaluateAsync<bool>("() => window.__notReloaded === true")).ShouldBeTrue("the dashboard updated without a reload");
        await dashboard.ScreenshotAsync("dashboard-drifted");

        // On a narrower screen (a tablet, half a laptop's) both still fit their width: nothing hides off to the side.
        foreach (var (tab, table) in new[] { (tenantTab, "drift-resources"), (dashboard, "health-table") })
        {
            await tab.Page.SetViewportSizeAsync(800, 1000);
            var overflow = await tab.Page.EvaluateAsync<int>(
                // The table's own width against its card: the container's scroll width also counted 90 px that no element drew
                // (no descendant reaches past the card's right edge, and the screenshot shows everything in place).
                "id => { const c = document.querySelector(`[data-testid=${id}] .mud-table-container`); return c.querySelector('table').scrollWidth - c.clientWidth; }", table);
            overflow.ShouldBeLessThanOrEqualTo(0, $"{table} is {overflow} px wider than its card at 800 px");
            await tab.ScreenshotAsync($"{table}-800px");
            await tab.Page.SetViewportSizeAsync(1280, 860);
        }

        // Apply fix: the confirmation lists the change; when the apply is done the tenant is checked again, once.
        await tenantTab.ByTestId("apply-fix").ClickAsync();
        await tenantTab.ByTestId("apply-dialog-item").First.WaitForAsync();
        await Assertions.Expect(tenantTab.ByTestId("apply-dialog-item")).ToContainTextAsync(["S3 bucket policy"]);
        var checks = 0;
        App.Services.GetRequiredService<DriftChecker>().OnCheckAsked = checkedId =>
        {
            if (checkedId == tenantId)
            {
                Interlocked.Increment(ref checks);
            }
        };
        await tenantTab.ByTestId("apply-confirm").ClickAsync();
        await Assertions.Expect(tenantTab.ByTestId("drift-status")).ToHaveAttributeAsync("data-status", "Healthy", s_slow);
        await Assertions.Expect(policy).ToHaveCountAsync(0, new() { Timeout = 10_000 });

        // The page plans again once the apply is over; a check it asked for as well would follow that plan.
        await Assertions.Expect(tenantTab.Page.Locator($"[data-testid=plan-item][data-key=\"{ResourceKeys.BucketPolicy}\"]")).ToHaveAttributeAsync("data-action", "InSync", s_slow);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Volatile.Read(ref checks).ShouldBe(1, "one drift check is asked for after an apply: the drift worker's");

        // The card shows the check once it is over, not at the next check.
        await Assertions.Expect(tenantTab.ByTestId("check-now")).ToHaveTextAsync("Check now");
        await Assertions.Expect(tenantTab.ByTestId("check-now")).ToBeEnabledAsync();
        await Assertions.Expect(tenantTab.Page.Locator(".mud-snackbar", new() { HasText = "Apply started" })).ToHaveCountAsync(0);
        await tenantTab.ScreenshotAsync("tenant-fixed");

        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "Healthy", s_slow);
        await Assertions.Expect(DriftedCount(dashboard)).ToHaveTextAsync("0");
        (await dashboard.Page.EvaluateAsync<bool>("() => window.__notReloaded === true")).ShouldBeTrue();
        await dashboard.ScreenshotAsync("dashboard-fixed");
        DialogSeen.ShouldBeFalse();
    }

    private static ILocator DriftedCount(PortalPage page) => page.Page.Locator("[data-testid=health-count-Drifted] [data-testid=health-count]");
}
