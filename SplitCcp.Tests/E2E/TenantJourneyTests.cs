using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

[Collection(BrowserTests.Name)]
public sealed partial class TenantJourneyTests(BrowserFixture browser) : PortalTest(browser)
{
    [Fact]
    public async Task Admin_CreatesTenantInTheUi_OtherTenantsAdminCannotReachIt()
    {
        var page = Portal.Page;

        // An anonymous visitor is sent to sign in.
        await Portal.GotoAsync("/");
        page.Url.ShouldContain("/account/login");
        await Portal.ScreenshotAsync("sign-in");

        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        (await Portal.ByTestId("home-empty").InnerTextAsync()).ShouldContain("Create your first tenant");
        await Portal.ScreenshotAsync("home-empty");

        // The create form checks fields as they are typed.
        await page.ClickAsync("text=Create your first tenant");
        await Portal.WaitForPathAsync("/tenants/new");
        await Portal.WaitForInteractiveAsync();
        await Portal.Input("tenant-display-name").FillAsync("Northwind Support");
        await Assertions.Expect(Portal.Input("tenant-slug")).ToHaveValueAsync("northwind-support");
        await Portal.Input("tenant-slug").FillAsync("Northwind Support!");
        await Portal.Input("tenant-slug").BlurAsync();
        await page.GetByText("Use lowercase letters, digits and single hyphens").WaitForAsync();
        await Portal.ScreenshotAsync("slug-error");
        await Portal.Input("tenant-slug").FillAsync("northwind");

        // The error going away shows the circuit has taken the new slug, so the save click does not land in that re-render.
        await Assertions.Expect(page.GetByText("Use lowercase letters, digits and single hyphens")).ToBeHiddenAsync();
        await Portal.ClickAndWaitForUrlAsync(Portal.ByTestId("save-tenant"), TenantUrl());
        (await Portal.ByTestId("tenant-title").TextContentAsync()).ShouldBe("Northwind Support");
        var tenantId = Guid.Parse(TenantUrl().Match(page.Url).Groups["id"].Value);
        await Portal.ScreenshotAsync("tenant-created");

        await page.ClickAsync("nav >> text=Tenants");
        await Portal.WaitForPathAsync("/tenants");
        await Portal.ByTestId("tenants-table").GetByText("Northwind Support").WaitForAsync();
        (await Portal.ByTestId("tenants-table").InnerTextAsync()).ShouldContain("northwind");
        await Portal.ScreenshotAsync("tenant-list");

        await Portal.SignOutAsync();

        // A TenantAdmin of another tenant sees neither the tenant in the list nor its page.
        var other = await App.CreateTenantAsync("Contoso Care", "contoso-care");
        var outsider = await App.CreateUserAsync("admin@contoso.example", Roles.TenantAdmin, other.Id);
        await Portal.SignInAsync(outsider.Email, outsider.Password);
        await Portal.GotoAsync("/tenants");
        await Portal.WaitForInteractiveAsync();
        await Portal.ByTestId("tenants-table").GetByText("Contoso Care").WaitForAsync();
        (await page.ContentAsync()).ShouldNotContain("Northwind");
        await Portal.ScreenshotAsync("outsider-list");

        var response = await Portal.GotoAsync($"/tenants/{tenantId}");
        response!.Status.ShouldBe(404);
        (await page.ContentAsync()).ShouldNotContain("Northwind");
        await page.GetByText("Not found").First.WaitForAsync();
        await Portal.ScreenshotAsync("outsider-denied");
    }

    [Fact]
    public async Task DeleteTenant_RequiresTypingItsName()
    {
        var tenant = await App.CreateTenantAsync("Fabrikam Voice", "fabrikam-voice");
        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.GotoAsync($"/tenants/{tenant.Id}");
        await Portal.WaitForInteractiveAsync();

        await Portal.ByTestId("delete-tenant").ClickAsync();
        var confirm = Portal.ByTestId("delete-confirm");
        await Assertions.Expect(confirm).ToBeDisabledAsync();
        await Portal.Input("delete-confirm-name").FillAsync("Fabrikam");
        await Assertions.Expect(confirm).ToBeDisabledAsync();

        // The shot comes before the last keystrokes: its viewport resize re-renders the page, and on a busy machine a click
        // landing in that re-render is lost.
        await Portal.ScreenshotAsync("delete-confirm");
        await Portal.Input("delete-confirm-name").FillAsync("Fabrikam Voice");
        await Assertions.Expect(confirm).ToBeEnabledAsync();
        await confirm.ClickAsync();

        // A click that lands in a re-render on a busy machine is lost and the dialog stays open, as a person would see and
        // click again; a click that was taken closes the dialog at once, so a second one never reaches a second delete.
        try
        {
            await confirm.WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Detached, Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            await confirm.ClickAsync();
        }

        await Portal.WaitForPathAsync("/tenants");
        (await App.CreateApiClient(SplitCcpWebFactory.AdminToken).GetAsync($"/api/tenants/{tenant.Id}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ThemeToggle_SwitchesToDarkAndRemembersIt()
    {
        await App.CreateTenantAsync("Tailspin Audio", "tailspin-audio");
        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.GotoAsync("/tenants");
        await Portal.WaitForInteractiveAsync();
        var light = await BackgroundAsync();

        await Portal.ByTestId("theme-toggle").ClickAsync();
        await Portal.Page.WaitForFunctionAsync($"() => getComputedStyle(document.body).backgroundColor !== '{light}'");
        var dark = await BackgroundAsync();
        await Portal.ScreenshotAsync("dark-theme");

        await Portal.Page.ReloadAsync();
        await Portal.WaitForInteractiveAsync();
        await Portal.Page.WaitForFunctionAsync($"() => getComputedStyle(document.body).backgroundColor === '{dark}'");
        dark.ShouldNotBe(light);
    }

    private Task<string> BackgroundAsync() => Portal.Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

    [GeneratedRegex("/tenants/(?<id>[0-9a-f-]{36})$")]
    private static partial Regex TenantUrl();
}
