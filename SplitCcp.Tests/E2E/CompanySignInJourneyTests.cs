using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

/// <summary>
/// Company sign-in against a real OpenID Connect provider the test starts: the button on the sign-in page, the provider's
/// own sign-in form, and the portal with the role the provider's groups give.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class CompanySignInJourneyTests(BrowserFixture browser) : CompanySignInTest(browser)
{
    [Fact]
    public async Task Operator_SignsInWithTheProvider_LandsAsMspOperator()
    {
        using var provider = StartProvider(("alice", new OidcUser("alice@contoso.test", true, ["staff", "splitccp-operators"])));

        await SignInWithProviderAsync("alice");

        (await Portal.ByTestId("signed-in-user").InnerTextAsync()).ShouldBe("alice@contoso.test");
        (await Portal.Page.Locator("a[href='/users']").CountAsync()).ShouldBe(1, "an operator manages users");
        await Portal.ScreenshotAsync("company-operator-home");
        (await RoleOfAsync("alice@contoso.test")).ShouldBe(Roles.MspOperator);
    }

    [Fact]
    public async Task TenantAdmin_SignsInWithTheProvider_SeesOnlyTheTenantHisGroupNames()
    {
        await App.CreateTenantAsync("Acme Support", "acme-support");
        await App.CreateTenantAsync("Globex", "globex");
        using var provider = StartProvider(("bob", new OidcUser("bob@contoso.test", true, ["splitccp-admin-acme-support"])));

        await SignInWithProviderAsync("bob");
        await Portal.GotoAsync("/tenants");
        await Portal.WaitForInteractiveAsync();
        await Portal.Page.GetByText("Acme Support").First.WaitForAsync();

        (await Portal.ByTestId("tenants-table").InnerTextAsync()).ShouldNotContain("Globex");
        (await Portal.Page.Locator("a[href='/users']").CountAsync()).ShouldBe(0, "a tenant admin does not manage users");
        (await RoleOfAsync("bob@contoso.test")).ShouldBe(Roles.TenantAdmin);
    }

    [Fact]
    public async Task UserWithNoMappedGroup_IsRefusedWithAPageThatSaysSo()
    {
        using var provider = StartProvider(("carol", new OidcUser("carol@contoso.test", true, ["staff"])));

        await StartAtProviderAsync("carol");
        await Portal.WaitForPathAsync("/account/company/refused");

        (await Portal.ByTestId("company-refused").InnerTextAsync()).ShouldContain("Your Contoso account has no access to SplitCcp");
        await Portal.ScreenshotAsync("company-refused");
        await Portal.GotoAsync("/tenants");
        Portal.Page.Url.ShouldContain("/account/login", Case.Insensitive, "a refused person is not signed in");
        (await App.Services.GetRequiredService<UserDirectory>().ListAsync(App.Operator())).ShouldNotContain(u => u.Email == "carol@contoso.test");
    }

    [Fact]
    public async Task GroupRemovedAtTheProvider_RemovesTheRoleAtTheNextSignIn()
    {
        var acme = await App.CreateTenantAsync("Acme Support", "acme-support");
        using var provider = StartProvider(("alice", new OidcUser("alice@contoso.test", true, ["splitccp-operators"])));
        await SignInWithProviderAsync("alice");
        (await RoleOfAsync("alice@contoso.test")).ShouldBe(Roles.MspOperator);
        await Portal.SignOutAsync();

        provider.SetUser("alice", new OidcUser("alice@contoso.test", true, ["splitccp-viewer-acme-support"]));

        // The provider still has her session, so it answers without its form, with the groups it has now.
        await Portal.GotoAsync("/account/login");
        await Portal.ByTestId("company-sign-in").ClickAsync();
        await Portal.WaitForInteractiveAsync();

        var alice = (await App.Services.GetRequiredService<UserDirectory>().ListAsync(App.Operator())).Single(u => u.Email == "alice@contoso.test");
        alice.Role.ShouldBe(Roles.Viewer);
        alice.TenantIds.ShouldBe([acme.Id]);
        (await Portal.Page.Locator("a[href='/users']").CountAsync()).ShouldBe(0, "the operators' group is gone, and the operator role with it");
    }
}
