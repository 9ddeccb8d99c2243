using Microsoft.Playwright;
using SplitCcp.Core.GoLive;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

/// <summary>
/// An operator takes a converged Sandbox tenant live from its page: the portal ticks its own checks after a check now, a
/// test session gives a streaming URL for a test agent, the checks done with the agent are recorded, and the tenant shows
/// Live on its page, in the tenant list and on the dashboard; the card also reads at a phone's width.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class GoLiveJourneyTests(BrowserFixture browser) : PortalTest(browser)
{
    private static readonly LocatorAssertionsToHaveAttributeOptions s_check = new() { Timeout = 60_000 };

    protected override void Configure(SplitCcpWebFactory app) => app.WithQuickSandbox();

    [Fact]
    public async Task An_operator_walks_the_go_live_checklist_of_a_converged_sandbox_tenant_to_live()
    {
        var api = App.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var tenantId = await api.CreateDemoTenantAsync();
        await api.ConvergeAsync(tenantId);

        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.GotoAsync($"/tenants/{tenantId}");
        await Portal.WaitForInteractiveAsync();
        var card = Portal.ByTestId("go-live-card");
        await Assertions.Expect(Portal.ByTestId("go-live-status")).ToHaveAttributeAsync("data-live", "false");
        await Assertions.Expect(Check(GoLiveChecks.Pages)).ToHaveAttributeAsync("data-state", "NotDone");

        // The portal's own checks tick themselves once the tenant is checked.
        await Portal.ByTestId("go-live-check-now").ClickAsync();
        foreach (var key in GoLiveChecks.Automatic)
        {
            await Assertions.Expect(Check(key)).ToHaveAttributeAsync("data-state", "Passed", s_check);
        }

        await Assertions.Expect(Portal.ByTestId("go-live-progress")).ToHaveTextAsync($"{GoLiveChecks.Automatic.Count} of {GoLiveChecks.All.Count} checks passed");

        // A test session for the test agent the card suggests: a streaming URL from the Sandbox, opened in a new tab.
        var agent = await Portal.Input("go-live-test-user").InputValueAsync();
        agent.ShouldEndWith("@demo.example.com");
        await Portal.ByTestId("start-test-session").ClickAsync();
        var link = Portal.ByTestId("test-session-link");
        await Assertions.Expect(link).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^https://appstream2\\.eu-west-2\\.aws\\.amazon\\.com/authenticate\\?parameters="));
        (await link.GetAttributeAsync("target")).ShouldBe("_blank");
        await Assertions.Expect(Portal.ByTestId("test-session")).ToContainTextAsync("Valid until");

        // What to do, what should happen and what to look at, then the result; one with a note of what was seen.
        await Check(GoLiveChecks.AudioOnly).GetByTestId("go-live-check-toggle").ClickAsync();
        await Assertions.Expect(Check(GoLiveChecks.AudioOnly).GetByTestId("go-live-check-link"))
            .ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("/AudioOnly\\.html#self-test$"));
        await Portal.ScreenshotAsync("go-live-card-open-check", card);
        foreach (var key in GoLiveChecks.Manual)
        {
            var check = Check(key);
            if (!await check.GetByTestId("go-live-pass").IsVisibleAsync())
            {
                await check.GetByTestId("go-live-check-toggle").ClickAsync();
            }

            if (key == GoLiveChecks.AudioOnly)
            {
                await check.Locator("textarea").First.FillAsync("Self-test code M0 A0 F0 S0.");
            }

            await check.GetByTestId("go-live-pass").ClickAsync();
            await Assertions.Expect(check).ToHaveAttributeAsync("data-state", "Passed");
        }

        await Assertions.Expect(Portal.ByTestId("go-live-status")).ToHaveAttributeAsync("data-live", "true");
        await Assertions.Expect(Portal.ByTestId("go-live-summary")).ToContainTextAsync("Live since");
        await Assertions.Expect(Check(GoLiveChecks.AudioOnly).GetByTestId("go-live-check-result")).ToContainTextAsync($"Passed with {agent}, recorded by {SplitCcpWebFactory.AdminEmail}");
        await Assertions.Expect(Check(GoLiveChecks.AudioOnly).GetByTestId("go-live-check-result")).ToContainTextAsync("Self-test code M0 A0 F0 S0.");
        var agentRow = Portal.Page.Locator($"[data-testid=agent-row][data-email=\"{agent}\"]");
        await Assertions.Expect(agentRow.GetByTestId("agent-last-test")).ToContainTextAsync($"{GoLiveChecks.Manual.Count} passed");

        // Agent readiness, read from Connect and Identity Center on demand.
        await Portal.ByTestId("check-agents").ClickAsync();
        await Assertions.Expect(agentRow.GetByTestId("agent-connect")).ToHaveAttributeAsync("data-state", "Ready");
        await Assertions.Expect(agentRow.GetByTestId("agent-identity-center")).ToContainTextAsync("Assigned through group Agents.");
        await CloseSnackbarsAsync();
        await Portal.ScreenshotAsync("go-live-card-live", card);

        // At a phone's width the card keeps to the screen: nothing wider than it, nothing to scroll sideways.
        await Portal.Page.SetViewportSizeAsync(390, 844);
        await Portal.Page.WaitForTimeoutAsync(500);
        var overflow = await card.EvaluateAsync<int>("c => Math.max(c.scrollWidth - c.clientWidth, document.documentElement.scrollWidth - window.innerWidth)");
        overflow.ShouldBeLessThanOrEqualTo(0, $"the go-live card is {overflow} px wider than a 390 px screen");
        await Portal.ScreenshotAsync("go-live-card-390px", card);
        await Portal.Page.SetViewportSizeAsync(1280, 860);

        // Live in the tenant list and on the dashboard.
        await Portal.GotoAsync("/tenants");
        await Assertions.Expect(Portal.ByTestId("tenant-go-live").First).ToContainTextAsync("Live since");
        await Portal.GotoAsync("/");
        var row = Portal.Page.Locator($"[data-testid=health-row][data-tenant-id=\"{tenantId}\"]");
        await Assertions.Expect(row.GetByTestId("live-since")).ToContainTextAsync("Live since");
        await Assertions.Expect(row.GetByTestId("live-since")).ToHaveAttributeAsync("data-urgent", "false");

        // Someone deletes the bucket policy: the tenant stays live, and its drift is urgent on the card and the dashboard.
        await api.TamperAsync(tenantId, new { resource = ResourceKeys.BucketPolicy, change = "Delete" });
        await Portal.GotoAsync($"/tenants/{tenantId}");
        await Portal.WaitForInteractiveAsync();
        await Portal.ByTestId("go-live-check-now").ClickAsync();
        await Assertions.Expect(Check(GoLiveChecks.Pages)).ToHaveAttributeAsync("data-state", "Failed", s_check);
        await Assertions.Expect(Portal.ByTestId("go-live-urgent")).ToContainTextAsync("agents are affected");
        await Assertions.Expect(Portal.ByTestId("go-live-status")).ToHaveAttributeAsync("data-live", "true");
        await CloseSnackbarsAsync();
        await Portal.ScreenshotAsync("go-live-card-live-drifted", card);
        await Portal.GotoAsync("/");
        await Assertions.Expect(row.GetByTestId("live-since")).ToHaveAttributeAsync("data-urgent", "true");
        await Portal.ScreenshotAsync("dashboard-live-drifted");
        DialogSeen.ShouldBeFalse();
    }

    /// <summary>The confirmations go away before a screenshot, so it shows the card alone.</summary>
    private async Task CloseSnackbarsAsync()
    {
        foreach (var close in await Portal.Page.Locator(".mud-snackbar button").AllAsync())
        {
            await close.ClickAsync();
        }

        await Assertions.Expect(Portal.Page.Locator(".mud-snackbar")).ToHaveCountAsync(0);
    }

    private ILocator Check(string key) => Portal.Page.Locator($"[data-testid=go-live-check][data-key=\"{key}\"]");
}
