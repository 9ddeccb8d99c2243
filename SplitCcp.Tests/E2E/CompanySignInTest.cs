using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

/// <summary>A browser test of a portal configured for the test OpenID Connect provider, which each test starts with its users.</summary>
public abstract partial class CompanySignInTest(BrowserFixture browser) : PortalTest(browser)
{
    private readonly int _providerPort = OidcProvider.ReservePort();

    protected override void Configure(SplitCcpWebFactory app)
    {
        foreach (var (key, value) in OidcProvider.Settings(_providerPort))
        {
            app.WithSetting(key, value);
        }
    }

    protected OidcProvider StartProvider(params (string Login, OidcUser User)[] users) =>
        OidcProvider.Start(_providerPort, App.ServerAddress, users.ToDictionary(u => u.Login, u => u.User));

    /// <summary>The button on the portal's sign-in page, then the provider's own form (which takes any password).</summary>
    protected async Task StartAtProviderAsync(string login)
    {
        // The provider's development form imports a web font; this machine has no internet, and the page would wait for it.
        await Portal.Page.RouteAsync("https://fonts.googleapis.com/**", route => route.AbortAsync());
        await Portal.GotoAsync("/account/login");
        (await Portal.ByTestId("company-sign-in").InnerTextAsync()).ShouldBe("Sign in with Contoso");
        await Portal.ByTestId("company-sign-in").ClickAsync();
        // Polled, as the portal's own navigations are (PortalPage.WaitForPathAsync): WaitForURLAsync can wait for a load state
        // that has already passed.
        await Assertions.Expect(Portal.Page).ToHaveURLAsync(ProviderInteraction(), new() { Timeout = 60_000 });
        await Portal.Page.FillAsync("input[name=login]", login);
        await Portal.Page.FillAsync("input[name=password]", "any password");
        await Portal.Page.ClickAsync("button[type=submit]");
    }

    protected async Task SignInWithProviderAsync(string login)
    {
        await StartAtProviderAsync(login);
        await Portal.WaitForInteractiveAsync();
    }

    protected async Task<string> RoleOfAsync(string email) =>
        (await App.Services.GetRequiredService<UserDirectory>().ListAsync(App.Operator())).Single(u => u.Email == email).Role;

    [GeneratedRegex(@"/interaction/")]
    private static partial Regex ProviderInteraction();
}
