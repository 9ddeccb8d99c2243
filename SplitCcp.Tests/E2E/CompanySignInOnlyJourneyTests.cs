using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

/// <summary>
/// With password sign-in off, the company provider is the only way in, and API tokens still work. MFA is required, and the
/// provider's sessions are not sent to enrol: the provider does the second step.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class CompanySignInOnlyJourneyTests(BrowserFixture browser) : CompanySignInTest(browser)
{
    protected override void Configure(SplitCcpWebFactory app)
    {
        base.Configure(app);
        app.WithSetting("SplitCcp:Accounts:LocalSignIn", "false");
        app.WithSetting("SplitCcp:Accounts:RequireMfa", "true");
    }

    [Fact]
    public async Task SignInPage_OffersOnlyTheProvider_WhoseOperatorIsNotSentToEnrolAndIssuesAnApiToken()
    {
        using var provider = StartProvider(("alice", new OidcUser("alice@contoso.test", true, ["splitccp-operators"])));
        await Portal.GotoAsync("/account/login");
        await Portal.ScreenshotAsync("company-only-sign-in");

        (await Portal.Page.Locator("#password").CountAsync()).ShouldBe(0);
        (await Portal.ByTestId("forgot-password").CountAsync()).ShouldBe(0);

        await SignInWithProviderAsync("alice");
        await Portal.GotoAsync("/profile");
        await Portal.WaitForInteractiveAsync();
        new Uri(Portal.Page.Url).AbsolutePath.ShouldBe("/profile");
        (await Portal.ByTestId("company-sign-in").InnerTextAsync()).ShouldContain("You signed in with Contoso");
        (await Portal.ByTestId("change-password-link").CountAsync()).ShouldBe(0, "the provider manages the password; the account has none");
        (await Portal.ByTestId("mfa-link").CountAsync()).ShouldBe(0);
        await Portal.Input("token-name").FillAsync("grafana");
        await Portal.ByTestId("create-token").ClickAsync();
        var token = (await Portal.ByTestId("issued-token-value").InnerTextAsync()).Trim();

        token.ShouldStartWith("sccp_");
        (await App.CreateApiClient(token).GetAsync("/api/me")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
    }
}
