using Microsoft.Playwright;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

[Collection(BrowserTests.Name)]
public sealed class UserAndTokenJourneyTests(BrowserFixture browser) : PortalTest(browser)
{
    [Fact]
    public async Task Operator_InvitesTenantAdminWithATenant_TheyAcceptAndSeeOnlyIt()
    {
        var tenant = await App.CreateTenantAsync("Litware Contact", "litware-contact");
        await App.CreateTenantAsync("Adatum Calls", "adatum-calls");
        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.GotoAsync("/users");
        await Portal.WaitForInteractiveAsync();

        await Portal.ByTestId("new-user").ClickAsync();
        await Portal.Input("user-email").FillAsync("agent-lead@litware.example");
        await Portal.Input("tenant-picker").FillAsync("litware");
        await Portal.Page.GetByText("Litware Contact (litware-contact)").ClickAsync();
        await Portal.Page.Locator(".mud-chip").GetByText("Litware Contact").WaitForAsync();
        await Portal.ScreenshotAsync("new-user-dialog");
        await Portal.ByTestId("save-user").ClickAsync();

        await Portal.ByTestId("users-table").GetByText("agent-lead@litware.example").WaitForAsync();
        await Portal.ByTestId("users-table").GetByText("Invited").WaitForAsync();
        var link = new Uri((await Portal.ByTestId("password-link-value").InnerTextAsync()).Trim());
        await Portal.ScreenshotAsync("users");
        await Portal.SignOutAsync();

        // The invitee opens the link the operator handed over (no mail is configured) and chooses a password, once.
        await Portal.GotoAsync(link.PathAndQuery);
        await Portal.Page.FillAsync("#new-password", "Lead-Passw0rd-123");
        await Portal.Page.FillAsync("#confirm-password", "Lead-Passw0rd-123");
        await Portal.ScreenshotAsync("accept-invitation");
        await Portal.ByTestId("set-password").ClickAsync();
        await Portal.ByTestId("password-set").WaitForAsync();
        await Portal.GotoAsync(link.PathAndQuery);
        await Portal.ByTestId("link-invalid").WaitForAsync();

        await Portal.SignInAsync("agent-lead@litware.example", "Lead-Passw0rd-123");
        await Portal.GotoAsync("/tenants");
        await Portal.WaitForInteractiveAsync();
        await Portal.ByTestId("tenants-table").GetByText("Litware Contact").WaitForAsync();
        (await Portal.Page.ContentAsync()).ShouldNotContain("Adatum");
        await Assertions.Expect(Portal.Page.Locator("nav >> text=Users")).ToHaveCountAsync(0);
        (await Portal.GotoAsync("/users"))!.Status.ShouldBe(200);
        await Portal.Page.GetByText("You can't do that here").WaitForAsync();
        await Portal.GotoAsync($"/tenants/{tenant.Id}");
        await Portal.WaitForInteractiveAsync();
        (await Portal.ByTestId("tenant-title").InnerTextAsync()).ShouldBe("Litware Contact");
    }

    [Fact]
    public async Task Profile_CreateReadOnlyToken_ShownOnceAndWorksOnTheApi()
    {
        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.GotoAsync("/profile");
        await Portal.WaitForInteractiveAsync();

        await Portal.Input("token-name").FillAsync("grafana");
        await Portal.Page.GetByText("Read-only").ClickAsync();
        await Portal.ByTestId("create-token").ClickAsync();
        var token = (await Portal.ByTestId("issued-token-value").InnerTextAsync()).Trim();
        await Portal.ScreenshotAsync("token-issued");

        token.ShouldStartWith("sccp_");
        var api = App.CreateApiClient(token);
        (await api.GetAsync("/api/tenants")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await api.PostAsync("/api/tenants", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))).StatusCode
            .ShouldBe(System.Net.HttpStatusCode.Forbidden);

        await Portal.Page.ReloadAsync();
        await Portal.WaitForInteractiveAsync();
        await Portal.ByTestId("tokens-table").GetByText("grafana").WaitForAsync();
        (await Portal.Page.ContentAsync()).ShouldNotContain(token);
    }
}
