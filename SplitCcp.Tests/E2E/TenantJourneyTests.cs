using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

[Collection(BrowserTests.Name)]
public sealed partial class TenantJourneyTests(BrowserFixture browser) : IAsyncLifetime, IDisposable
{
    private readonly SplitCcpWebFactory _app = new();
    private IBrowserContext _context = default!;
    private PortalPage _portal = default!;

    public async Task InitializeAsync()
    {
        _app.StartKestrel();
        _context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 860 } });
        _portal = new PortalPage(await _context.NewPageAsync(), _app.ServerAddress, nameof(TenantJourneyTests));
    }

    [Fact]
    public async Task Admin_CreatesTenantInTheUi_OtherTenantsAdminCannotReachIt()
    {
        var page = _portal.Page;

        // An anonymous visitor is sent to sign in.
        await _portal.GotoAsync("/");
        page.Url.ShouldContain("/account/login");
        await _portal.ScreenshotAsync("sign-in");

        await _portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        (await _portal.ByTestId("home-empty").InnerTextAsync()).ShouldContain("Create your first tenant");
        await _portal.ScreenshotAsync("home-empty");

        // The create form checks fields as they are typed.
        await page.ClickAsync("text=Create your first tenant");
        await page.WaitForURLAsync("**/tenants/new");
        await _portal.WaitForInteractiveAsync();
        await _portal.Input("tenant-display-name").FillAsync("Northwind Support");
        await Assertions.Expect(_portal.Input("tenant-slug")).ToHaveValueAsync("northwind-support");
        await _portal.Input("tenant-slug").FillAsync("Northwind Support!");
        await _portal.Input("tenant-slug").BlurAsync();
        await page.GetByText("Use lowercase letters, digits and single hyphens").WaitForAsync();
        await _portal.ScreenshotAsync("slug-error");
        await _portal.Input("tenant-slug").FillAsync("northwind");

        await _portal.ByTestId("save-tenant").ClickAsync();
        await page.WaitForURLAsync(TenantUrl());
        (await _portal.ByTestId("tenant-title").TextContentAsync()).ShouldBe("Northwind Support");
        var tenantId = Guid.Parse(TenantUrl().Match(page.Url).Groups["id"].Value);
        await _portal.ScreenshotAsync("tenant-created");

        await page.ClickAsync("nav >> text=Tenants");
        await page.WaitForURLAsync("**/tenants");
        await _portal.ByTestId("tenants-table").GetByText("Northwind Support").WaitForAsync();
        (await _portal.ByTestId("tenants-table").InnerTextAsync()).ShouldContain("northwind");
        await _portal.ScreenshotAsync("tenant-list");

        await _portal.SignOutAsync();

        // A TenantAdmin of another tenant sees neither the tenant in the list nor its page.
        var other = await _app.CreateTenantAsync("Contoso Care", "contoso-care");
        var outsider = await _app.CreateUserAsync("admin@contoso.example", Roles.TenantAdmin, other.Id);
        await _portal.SignInAsync(outsider.Email, outsider.Password);
        await _portal.GotoAsync("/tenants");
        await _portal.WaitForInteractiveAsync();
        await _portal.ByTestId("tenants-table").GetByText("Contoso Care").WaitForAsync();
        (await page.ContentAsync()).ShouldNotContain("Northwind");
        await _portal.ScreenshotAsync("outsider-list");

        var response = await _portal.GotoAsync($"/tenants/{tenantId}");
        response!.Status.ShouldBe(404);
        (await page.ContentAsync()).ShouldNotContain("Northwind");
        await page.GetByText("Not found").First.WaitForAsync();
        await _portal.ScreenshotAsync("outsider-denied");
    }

    [Fact]
    public async Task DeleteTenant_RequiresTypingItsName()
    {
        var tenant = await _app.CreateTenantAsync("Fabrikam Voice", "fabrikam-voice");
        await _portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await _portal.GotoAsync($"/tenants/{tenant.Id}");
        await _portal.WaitForInteractiveAsync();

        await _portal.ByTestId("delete-tenant").ClickAsync();
        var confirm = _portal.ByTestId("delete-confirm");
        await Assertions.Expect(confirm).ToBeDisabledAsync();
        await _portal.Input("delete-confirm-name").FillAsync("Fabrikam");
        await Assertions.Expect(confirm).ToBeDisabledAsync();
        await _portal.Input("delete-confirm-name").FillAsync("Fabrikam Voice");
        await Assertions.Expect(confirm).ToBeEnabledAsync();
        await _portal.ScreenshotAsync("delete-confirm");
        await confirm.ClickAsync();

        await _portal.Page.WaitForURLAsync("**/tenants");
        (await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).GetAsync($"/api/tenants/{tenant.Id}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ThemeToggle_SwitchesToDarkAndRemembersIt()
    {
        await _app.CreateTenantAsync("Tailspin Audio", "tailspin-audio");
        await _portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await _portal.GotoAsync("/tenants");
        await _portal.WaitForInteractiveAsync();
        var light = await BackgroundAsync();

        await _portal.ByTestId("theme-toggle").ClickAsync();
        await _portal.Page.WaitForFunctionAsync($"() => getComputedStyle(document.body).backgroundColor !== '{light}'");
        var dark = await BackgroundAsync();
        await _portal.ScreenshotAsync("dark-theme");

        await _portal.Page.ReloadAsync();
        await _portal.WaitForInteractiveAsync();
        await _portal.Page.WaitForFunctionAsync($"() => getComputedStyle(document.body).backgroundColor === '{dark}'");
        dark.ShouldNotBe(light);
    }

    private Task<string> BackgroundAsync() => _portal.Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

    [GeneratedRegex("/tenants/(?<id>[0-9a-f-]{36})$")]
    private static partial Regex TenantUrl();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    public void Dispose() => _app.Dispose();
}
