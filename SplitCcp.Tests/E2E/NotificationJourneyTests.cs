using Microsoft.Playwright;
using SplitCcp.Tests.Core.Notifications;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

[Collection(BrowserTests.Name)]
public sealed class NotificationJourneyTests(BrowserFixture browser) : PortalTest(browser), IAsyncLifetime
{
    private WebhookReceiver _receiver = default!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        await InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Operator_CreatesAnEndpoint_SeesItsSecretOnce_SendsATestThatArrivesSigned_AndDeletesIt()
    {
        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.Page.ClickAsync("nav >> text=Notifications");
        await Portal.ByTestId("endpoints-empty").WaitForAsync();
        await Portal.ByTestId("deliveries-empty").WaitForAsync();
        await Portal.ScreenshotAsync("empty");

        await Portal.ByTestId("new-endpoint").ClickAsync();
        await Portal.Input("endpoint-name").FillAsync("Ops webhook");
        await Portal.Input("endpoint-url").FillAsync("http://hooks.example.com/splitccp");
        await Portal.Input("endpoint-name").ClickAsync();
        await Portal.Page.GetByText("Plain http:// is only for a receiver on this machine").WaitForAsync();
        await Portal.Input("endpoint-url").FillAsync(_receiver.Url);
        await Portal.Input("endpoint-name").ClickAsync();
        await Assertions.Expect(Portal.Page.GetByText("Plain http:// is only for a receiver on this machine")).ToHaveCountAsync(0);
        await Portal.ScreenshotAsync("new-endpoint-dialog");
        await Portal.ByTestId("save-endpoint").ClickAsync();

        var secret = (await Portal.ByTestId("endpoint-secret-value").InnerTextAsync()).Trim();
        secret.ShouldStartWith("sccpwh_");
        await Portal.ByTestId("endpoints-table").GetByText("Ops webhook").WaitForAsync();
        await Portal.ScreenshotAsync("secret-shown-once");

        await Portal.ByTestId("send-test").ClickAsync();
        await Portal.ByTestId("test-result").GetByText("The test reached Ops webhook: it answered 200.").WaitForAsync();
        await Portal.ByTestId("deliveries-table").GetByText("Delivered").WaitForAsync();
        await Portal.ScreenshotAsync("test-delivered");

        var request = _receiver.Received.ShouldHaveSingleItem();
        request.Headers["X-SplitCcp-Signature"].ShouldBe(NotificationDeliveryTests.Signature(secret, request.Headers["X-SplitCcp-Timestamp"], request.Body));
        request.Json.GetProperty("event").GetString().ShouldBe("Test");

        await Portal.Page.ReloadAsync();
        await Portal.WaitForInteractiveAsync();
        await Portal.ByTestId("endpoints-table").GetByText("Ops webhook").WaitForAsync();
        (await Portal.Page.ContentAsync()).ShouldNotContain(secret);

        // The address is a credential for Slack and Teams: editing shows its host only, and a save that leaves it empty keeps it.
        await Portal.ByTestId("edit-endpoint").ClickAsync();
        await Portal.Input("endpoint-name").FillAsync("Ops webhook (renamed)");
        (await Portal.Input("endpoint-url").InputValueAsync()).ShouldBeEmpty();
        await Portal.Page.GetByText($"Leave empty to keep the current address ({new Uri(_receiver.Url).GetLeftPart(UriPartial.Authority)}/…)").WaitForAsync();
        (await Portal.Page.ContentAsync()).ShouldNotContain(_receiver.Url);
        await Portal.ScreenshotAsync("edit-endpoint-dialog");
        await Portal.ByTestId("save-endpoint").ClickAsync();
        await Portal.ByTestId("endpoints-table").GetByText("Ops webhook (renamed)").WaitForAsync();
        await Portal.ByTestId("send-test").ClickAsync();
        await Portal.ByTestId("test-result").GetByText("The test reached Ops webhook (renamed): it answered 200.").WaitForAsync();
        _receiver.Received.Count.ShouldBe(2);

        await Portal.ByTestId("delete-endpoint").ClickAsync();
        await Portal.Page.GetByText("“Ops webhook (renamed)” gets no more notifications").WaitForAsync();
        await Portal.Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Portal.ByTestId("endpoints-empty").WaitForAsync();
        await Portal.ByTestId("deliveries-empty").WaitForAsync();
        DialogSeen.ShouldBeFalse();
    }
}
