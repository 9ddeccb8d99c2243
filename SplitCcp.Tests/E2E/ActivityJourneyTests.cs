using Microsoft.Playwright;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

[Collection(BrowserTests.Name)]
public sealed class ActivityJourneyTests(BrowserFixture browser) : PortalTest(browser)
{
    protected override BrowserNewContextOptions ContextOptions => new() { ViewportSize = new() { Width = 1366, Height = 900 }, AcceptDownloads = true };

    [Fact]
    public async Task Operator_ChangesARole_TheActivityPageShowsWhoDidItToWhomFromWhere_AndOthersHaveNoActivity()
    {
        var lead = await App.CreateUserAsync("agent-lead@litware.example", Roles.Viewer);
        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.GotoAsync("/users");
        await Portal.WaitForInteractiveAsync();

        await Portal.ByTestId("users-table").Locator("tr", new() { HasText = lead.Email }).GetByText("Edit").ClickAsync();
        await Portal.Page.Locator("input[data-testid=user-role], [data-testid=user-role] input").First.ClickAsync();
        await Portal.Page.GetByText("Tenant admin: reads and changes the tenants below").ClickAsync();
        await Portal.ByTestId("save-user").ClickAsync();
        await Portal.Page.Locator(".mud-snackbar", new() { HasText = $"User {lead.Email} saved." }).WaitForAsync();

        await Portal.Page.Locator("nav").GetByText("Activity").ClickAsync();
        var row = Portal.ByTestId("activity-table").Locator("tr", new() { HasText = "Role changed from Viewer to Tenant admin." });
        await row.WaitForAsync();
        (await row.Locator("[data-testid=activity-actor]").InnerTextAsync()).ShouldBe(SplitCcpWebFactory.AdminEmail);
        (await row.Locator("[data-testid=activity-subject]").InnerTextAsync()).ShouldBe(lead.Email);
        (await row.InnerTextAsync()).ShouldContain("127.0.0.1");
        (await Portal.ByTestId("activity-table").Locator("tbody tr").First.InnerTextAsync()).ShouldContain("Role changed", Case.Sensitive, "newest first");
        await Portal.ScreenshotAsync("activity");

        var download = await Portal.Page.RunAndWaitForDownloadAsync(() => Portal.ByTestId("activity-csv").ClickAsync());
        download.SuggestedFilename.ShouldStartWith("identity-activity-");
        var csv = Rfc4180.Parse(File.ReadAllText(await download.PathAsync()).TrimStart('\uFEFF'));
        csv.ShouldContain(r => r.Contains("RoleChanged") && r.Contains(lead.Email) && r.Contains("127.0.0.1"));

        await Portal.SignOutAsync();
        await Portal.SignInAsync(lead.Email, lead.Password);
        await Assertions.Expect(Portal.Page.Locator("nav").GetByText("Activity")).ToHaveCountAsync(0);
        (await Portal.GotoAsync("/activity"))!.Status.ShouldBe(200);
        await Portal.Page.GetByText("You can't do that here").WaitForAsync();
        (await Portal.Page.ContentAsync()).ShouldNotContain("Role changed");
    }
}
