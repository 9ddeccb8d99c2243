using Microsoft.Playwright;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

[Collection(BrowserTests.Name)]
public sealed class EmailNotificationJourneyTests(BrowserFixture browser) : PortalTest(browser), IAsyncLifetime
{
    private readonly SmtpSink _smtp = SmtpSink.Start();

    async Task IAsyncLifetime.InitializeAsync() => await InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        _smtp.Dispose();
    }

    protected override void Configure(SplitCcpWebFactory app)
    {
        foreach (var (key, value) in _smtp.Settings())
        {
            app.WithSetting(key, value);
        }
    }

    [Fact]
    public async Task Operator_MakesAnEmailEndpoint_IsToldOfABadAddressAtTheField_AndItsTestArrives()
    {
        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.Page.ClickAsync("nav >> text=Notifications");
        await Portal.ByTestId("endpoints-empty").WaitForAsync();

        await Portal.ByTestId("new-endpoint").ClickAsync();
        await Portal.Input("endpoint-name").FillAsync("Ops mail");
        await Portal.Page.Locator(".mud-dialog").GetByText("E-mail", new() { Exact = true }).ClickAsync();
        await Portal.Page.Locator("textarea[data-testid=endpoint-recipients], [data-testid=endpoint-recipients] textarea").First.FillAsync("ops@msp.example, noc");
        await Portal.Input("endpoint-name").ClickAsync();
        await Portal.Page.GetByText("'noc' is not an e-mail address such as ops@msp.example.").WaitForAsync();
        await Portal.Page.Locator("textarea[data-testid=endpoint-recipients], [data-testid=endpoint-recipients] textarea").First.FillAsync("ops@msp.example, noc@msp.example");
        await Portal.Input("endpoint-name").ClickAsync();
        await Assertions.Expect(Portal.Page.GetByText("is not an e-mail address")).ToHaveCountAsync(0);
        await Assertions.Expect(Portal.ByTestId("endpoint-url")).ToHaveCountAsync(0);
        await Portal.ScreenshotAsync("new-email-endpoint");
        await Portal.ByTestId("save-endpoint").ClickAsync();

        var row = Portal.ByTestId("endpoints-table").Locator("tr", new() { HasText = "Ops mail" });
        await row.GetByText("ops@msp.example, noc@msp.example").WaitForAsync();
        await Assertions.Expect(Portal.ByTestId("endpoint-secret")).ToHaveCountAsync(0);

        await Portal.ByTestId("send-test").ClickAsync();
        await Portal.ByTestId("test-result").GetByText("The test reached Ops mail.").WaitForAsync();
        await Portal.ScreenshotAsync("email-test-delivered");

        var mail = await _smtp.WaitForMessageAsync("noc@msp.example");
        mail.Subject.ShouldBe("[SplitCcp] Test notification from SplitCcp");
        DialogSeen.ShouldBeFalse();
    }
}
