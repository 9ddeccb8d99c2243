using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

/// <summary>
/// An operator watching health: the dashboard updating while a tenant is checked in another tab, check all, the status
/// filter, then a setup not finished yet (Pending, not drift) applied through the plan panel and the card showing the check
/// the portal makes once the apply is over.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class DriftDashboardJourneyTests(BrowserFixture browser) : PortalTest(browser)
{
    private static readonly LocatorAssertionsToHaveAttributeOptions s_applyTimeout = new() { Timeout = 90_000 };

    protected override void Configure(SplitCcpWebFactory app)
    {
        app.WithSetting("SplitCcp:Sandbox:InstanceCreation", "00:00:02")
            .WithSetting("SplitCcp:Sandbox:PhoneNumberClaim", "00:00:01")
            .WithSetting("SplitCcp:Sandbox:FleetStart", "00:00:01")
            .WithSetting("SplitCcp:Sandbox:ImageBuilderStart", "00:00:01")
            .WithSetting("SplitCcp:Sandbox:DistributionDeployment", "00:00:01")
            .WithSetting("SplitCcp:Reconciliation:PollInitialInterval", "00:00:00.250")
            .WithSetting("SplitCcp:Reconciliation:PollMaxInterval", "00:00:01")
            // The drift worker checks a tenant when an apply of it finishes; its passes are an hour apart here.
            .WithSetting("SplitCcp:Drift:Enabled", "true")
            .WithSetting("SplitCcp:Drift:Interval", "01:00:00");
    }

    [Fact]
    public async Task Dashboard_follows_checks_live_and_the_drift_card_fixes_through_the_plan_panel()
    {
        // The pass the worker makes at start is over before the tenants exist, so they start unchecked.
        var worker = App.Services.GetRequiredService<DriftWorker>();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (worker.LastPass is null)
            {
                await Task.Delay(20, deadline.Token);
            }
        }

        var demo = await App.Services.GetRequiredService<DemoTenants>().CreateAsync(App.Operator());
        var plain = await App.CreateTenantAsync("Northwind Support", "northwind");
        var dashboard = Portal.Page;
        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Assertions.Expect(Count("Unknown")).ToHaveTextAsync("2");
        await Assertions.Expect(Row(demo.Id)).ToHaveAttributeAsync("data-status", "Unknown");
        await Portal.ScreenshotAsync("dashboard-unchecked");

        // Another tab checks the demo tenant; the dashboard shows it without a reload.
        var tenantPage = await dashboard.Context.NewPageAsync();
        await tenantPage.GotoAsync(new Uri(Portal.BaseAddress, $"/tenants/{demo.Id}").ToString());
        await tenantPage.Locator("#app-interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await tenantPage.Locator("[data-testid=check-now]").ClickAsync();
        // Never applied: its setup is not finished, which is not drift.
        await Assertions.Expect(tenantPage.Locator("[data-testid=drift-status]")).ToHaveAttributeAsync("data-status", "Pending");
        await Assertions.Expect(Row(demo.Id)).ToHaveAttributeAsync("data-status", "Pending");
        await Assertions.Expect(Count("Pending")).ToHaveTextAsync("1");
        await Assertions.Expect(Count("Drifted")).ToHaveTextAsync("0");
        await Assertions.Expect(Count("Unknown")).ToHaveTextAsync("1");

        // Check all, then show only the pending tenants.
        await Portal.ByTestId("check-all").ClickAsync();
        await Assertions.Expect(Portal.ByTestId("last-pass")).ToContainTextAsync("2 tenants checked");
        await Portal.ByTestId("health-count-Pending").ClickAsync();
        await Assertions.Expect(Portal.ByTestId("health-row")).ToHaveCountAsync(1);
        await Assertions.Expect(Row(plain.Id)).ToHaveCountAsync(0);
        await Portal.ScreenshotAsync("dashboard-pending-only");

        // The drift card: every resource still to make, with what the setup expects; nothing to fix, so it is applied
        // through the plan panel, which asks first.
        var instance = tenantPage.Locator($"[data-testid=drift-resource][data-key=\"{ResourceKeys.ConnectInstance}\"]");
        await Assertions.Expect(instance).ToHaveAttributeAsync("data-state", "Pending");
        await Assertions.Expect(instance.Locator("[data-testid=drift-expected]").First).Not.ToBeEmptyAsync();
        await Assertions.Expect(tenantPage.Locator("[data-testid=drift-message]")).ToContainTextAsync("The setup is not finished: 1 console step left;");
        await Assertions.Expect(tenantPage.Locator("[data-testid=apply-fix]")).ToBeDisabledAsync();
        await tenantPage.Locator("[data-testid=plan-button]").ClickAsync();
        await Assertions.Expect(tenantPage.Locator("[data-testid=apply-button]")).ToBeEnabledAsync();
        await tenantPage.Locator("[data-testid=apply-button]").ClickAsync();
        await tenantPage.Locator("[data-testid=apply-dialog-item]").First.WaitForAsync();
        await tenantPage.Locator("[data-testid=apply-confirm]").ClickAsync();
        await Assertions.Expect(tenantPage.Locator("[data-testid=apply-progress]")).ToHaveAttributeAsync("data-state", "Succeeded", s_applyTimeout);

        // Once the apply is over the portal checks the tenant again: the instance is there now; the image still needs its console step.
        await Assertions.Expect(instance).ToHaveCountAsync(0);
        await Assertions.Expect(tenantPage.Locator($"[data-testid=drift-resource][data-key=\"{ResourceKeys.Image}\"]")).ToHaveAttributeAsync("data-state", "Pending");
        await Assertions.Expect(tenantPage.Locator("[data-testid=drift-message]")).ToContainTextAsync("The setup is not finished: 1 console step left.");
        await Assertions.Expect(tenantPage.Locator("[data-testid=drift-status]")).ToHaveAttributeAsync("data-status", "Pending");
        await tenantPage.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, $"{nameof(DriftDashboardJourneyTests)}-drift-card-after-fix.png"), FullPage = true });
        DialogSeen.ShouldBeFalse();
    }

    private ILocator Count(string status) => Portal.Page.Locator($"[data-testid=health-count-{status}] [data-testid=health-count]");

    private ILocator Row(Guid tenantId) => Portal.Page.Locator($"[data-testid=health-row][data-tenant-id=\"{tenantId}\"]");
}
