using Microsoft.Playwright;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

[Collection(BrowserTests.Name)]
public sealed class UserAndTokenJourneyTests(BrowserFixture browser) : IAsyncLifetime, IDisposable
{
    private readonly SplitCcpWebFactory _app = new();
    private IBrowserContext _context = default!;
    private PortalPage _portal = default!;

    public async Task InitializeAsync()
    {
        _app.StartKestrel();
        _context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 860 } });
        _portal = new PortalPage(await _context.NewPageAsync(), _app.ServerAddress, nameof(UserAndTokenJourneyTests));
    }

    [Fact]
    public async Task Operator_CreatesTenantAdminWithATenant_TheyCanSignInAndSeeOnlyIt()
    {
        var tenant = await _app.CreateTenantAsync("Litware Contact", "litware-contact");
        await _app.CreateTenantAsync("Adatum Calls", "adatum-calls");
        await _portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await _portal.GotoAsync("/users");
        await _portal.WaitForInteractiveAsync();

        await _portal.ByTestId("new-user").ClickAsync();
        await _portal.Input("user-email").FillAsync("agent-lead@litware.example");
        await _portal.Input("user-password").FillAsync("Lead-Passw0rd-123");
        await _portal.Input("tenant-picker").FillAsync("litware");
        await _portal.Page.GetByText("Litware Contact (litware-contact)").ClickAsync();
        await _portal.Page.Locator(".mud-chip").GetByText("Litware Contact").WaitForAsync();
        await _portal.ScreenshotAsync("new-user-dialog");
        await _portal.ByTestId("save-user").ClickAsync();

        await _portal.ByTestId("users-table").GetByText("agent-lead@litware.example").WaitForAsync();
        await _portal.ScreenshotAsync("users");
        await _portal.SignOutAsync();

        await _portal.SignInAsync("agent-lead@litware.example", "Lead-Passw0rd-123");
        await _portal.GotoAsync("/tenants");
        await _portal.WaitForInteractiveAsync();
        await _portal.ByTestId("tenants-table").GetByText("Litware Contact").WaitForAsync();
        (await _portal.Page.ContentAsync()).ShouldNotContain("Adatum");
        await Assertions.Expect(_portal.Page.Locator("nav >> text=Users")).ToHaveCountAsync(0);
        (await _portal.GotoAsync("/users"))!.Status.ShouldBe(200);
        await _portal.Page.GetByText("You can't do that here").WaitForAsync();
        await _portal.GotoAsync($"/tenants/{tenant.Id}");
        await _portal.WaitForInteractiveAsync();
        (await _portal.ByTestId("tenant-title").InnerTextAsync()).ShouldBe("Litware Contact");
    }

    [Fact]
    public async Task Profile_CreateReadOnlyToken_ShownOnceAndWorksOnTheApi()
    {
        await _portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await _portal.GotoAsync("/profile");
        await _portal.WaitForInteractiveAsync();

        await _portal.Input("token-name").FillAsync("grafana");
        await _portal.Page.GetByText("Read-only").ClickAsync();
        await _portal.ByTestId("create-token").ClickAsync();
        var token = (await _portal.ByTestId("issued-token-value").InnerTextAsync()).Trim();
        await _portal.ScreenshotAsync("token-issued");

        token.ShouldStartWith("sccp_");
        var api = _app.CreateApiClient(token);
        (await api.GetAsync("/api/tenants")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await api.PostAsync("/api/tenants", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))).StatusCode
            .ShouldBe(System.Net.HttpStatusCode.Forbidden);

        await _portal.Page.ReloadAsync();
        await _portal.WaitForInteractiveAsync();
        await _portal.ByTestId("tokens-table").GetByText("grafana").WaitForAsync();
        (await _portal.Page.ContentAsync()).ShouldNotContain(token);
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    public void Dispose() => _app.Dispose();
}
