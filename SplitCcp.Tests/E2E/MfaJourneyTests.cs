using SplitCcp.Tests.Infrastructure;
using static SplitCcp.Tests.Web.Account.MfaTests;

namespace SplitCcp.Tests.E2E;

[Collection(BrowserTests.Name)]
public sealed class MfaJourneyTests(BrowserFixture browser) : PortalTest(browser)
{
    [Fact]
    public async Task Operator_EnrolsAnAuthenticatorApp_ThenSignsInWithItsCode()
    {
        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.GotoAsync("/profile");
        await Portal.WaitForInteractiveAsync();
        (await Portal.ByTestId("mfa-state").InnerTextAsync()).ShouldBe("off");

        await Portal.ByTestId("mfa-link").ClickAsync();
        await Portal.WaitForPathAsync("/account/mfa");
        await Portal.ByTestId("mfa-qr").WaitForAsync();
        var key = (await Portal.ByTestId("mfa-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await Portal.ScreenshotAsync("mfa-enrol");
        await Portal.Page.FillAsync("#code", Code(key));
        await Portal.ByTestId("mfa-verify").ClickAsync();
        await Portal.ByTestId("recovery-codes").WaitForAsync();
        (await Portal.Page.Locator(".recovery-codes li").CountAsync()).ShouldBe(10);
        await Portal.ScreenshotAsync("mfa-recovery-codes");
        await Portal.ByTestId("mfa-continue").ClickAsync();
        await Portal.WaitForInteractiveAsync();
        await Portal.SignOutAsync();

        await Portal.GotoAsync("/account/login");
        await Portal.Page.FillAsync("#email", SplitCcpWebFactory.AdminEmail);
        await Portal.Page.FillAsync("#password", SplitCcpWebFactory.AdminPassword);
        await Portal.Page.ClickAsync("[data-testid=sign-in]");
        await Portal.WaitForPathAsync("/account/login-code");
        await Portal.Page.FillAsync("#code", Code(key));
        await Portal.ScreenshotAsync("mfa-sign-in-code");
        await Portal.ByTestId("verify-code").ClickAsync();
        await Portal.WaitForInteractiveAsync();

        await Portal.GotoAsync("/profile");
        await Portal.WaitForInteractiveAsync();
        (await Portal.ByTestId("mfa-state").InnerTextAsync()).ShouldBe("on");
    }
}
