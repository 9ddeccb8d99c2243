using System.Text.Json.Nodes;
using Microsoft.Playwright;
using SplitCcp.Core.Sandbox;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

[Collection(BrowserTests.Name)]
public sealed class SetupWizardTests(BrowserFixture browser) : IAsyncLifetime, IDisposable
{
    private readonly SplitCcpWebFactory _app = new();
    private IBrowserContext _context = default!;
    private PortalPage _portal = default!;
    private bool _dialogSeen;

    public async Task InitializeAsync()
    {
        _app.StartKestrel();
        _context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 }, AcceptDownloads = true });
        var page = await _context.NewPageAsync();
        page.Dialog += (_, dialog) =>
        {
            _dialogSeen = true;
            _ = dialog.DismissAsync();
        };
        _portal = new PortalPage(page, _app.ServerAddress, nameof(SetupWizardTests));
    }

    [Fact]
    public async Task Wizard_SandboxTenant_WalkedToTheEndWithADraftResumedOnTheWay()
    {
        var tenant = await _app.CreateTenantAsync("Wingtip Voice", "wingtip-voice");
        var instance = SandboxConnect.Instances(tenant)[0];
        var page = _portal.Page;
        await _portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await _portal.GotoAsync($"/tenants/{tenant.Id}");
        await _portal.WaitForInteractiveAsync();
        await _portal.ByTestId("open-setup").ClickAsync();
        await page.WaitForURLAsync($"**/tenants/{tenant.Id}/setup");
        await _portal.WaitForInteractiveAsync();

        // Step 1: the picker lists the Sandbox's instances; Next refuses until the agent row is valid.
        await _portal.ByTestId("instance-picker").ClickAsync();
        await page.GetByText($"{instance.Alias} · SAML").ClickAsync();
        await Assertions.Expect(_portal.Input("spec-instance-id")).ToHaveValueAsync(instance.Id);
        await Assertions.Expect(_portal.Input("spec-instance-alias")).ToHaveValueAsync(instance.Alias);
        await _portal.ByTestId("add-agent").ClickAsync();
        await _portal.Input("agent-email-0").FillAsync("ada@wingtip.example");
        await _portal.Input("agent-first-0").FillAsync("<img src=x onerror=alert(1)>");
        await NextAsync();
        await page.GetByText("Enter a name.").WaitForAsync();
        await _portal.ScreenshotAsync("step1-invalid");
        await _portal.Input("agent-last-0").FillAsync("Agent");
        await NextAsync();

        // Step 2: console-only values are generated with the real instance ID.
        await _portal.ByTestId("idc-instructions").WaitForAsync();
        (await _portal.ByTestId("relay-state").InnerTextAsync()).ShouldBe(
            $"https://eu-west-2.console.aws.amazon.com/connect/federate/{instance.Id}?destination=%2Fconnect%2Fccp-v2");
        var account = SandboxAccount.AccountIdFor(tenant.Id);
        (await _portal.ByTestId("mapping-Role").InnerTextAsync()).ShouldBe(
            $"arn:aws:iam::{account}:role/SplitCcp-wingtip-voice-Agent,arn:aws:iam::{account}:saml-provider/SplitCcp-wingtip-voice-IdentityCenter");
        await _portal.Input("spec-idc-metadata-url").FillAsync("https://portal.sso.eu-west-2.amazonaws.com/saml/metadata/MTIzNDU2");
        await _portal.Input("spec-idc-start-url").FillAsync("https://d-1234567890.awsapps.com/start/#/saml/default/Wingtip/ins-1");
        await _portal.ScreenshotAsync("step2-identity-center");
        await NextAsync();
        await _portal.Input("spec-iam-provider").WaitForAsync();

        // Leave and come back: the draft resumes at the IAM step with everything typed so far.
        await page.ReloadAsync();
        await _portal.WaitForInteractiveAsync();
        await _portal.Input("spec-iam-provider").WaitForAsync();
        await _portal.ScreenshotAsync("step3-resumed");
        await NextAsync();

        // Hosting: the public bucket comes with a warning.
        await _portal.Input("spec-bucket").WaitForAsync();
        await _portal.ByTestId("hosting-public").ClickAsync();
        await _portal.ByTestId("public-bucket-warning").WaitForAsync();
        (await _portal.ByTestId("hosting-origin").InnerTextAsync()).ShouldStartWith("https://splitccp-wingtip-voice-");
        await NextAsync();
        await _portal.ByTestId("spec-hide-controls").WaitForAsync();
        var preview = page.FrameLocator("[data-testid=preview-audio-only]");
        await preview.Locator("body").GetByText("microphone", new() { Exact = false }).First.WaitForAsync();
        await _portal.ScreenshotAsync("ccp-pages-preview");
        await NextAsync();
        await _portal.Input("spec-fleet-name").WaitForAsync();
        await NextAsync();

        await _portal.ByTestId("review-ok").WaitForAsync();
        (await _portal.ByTestId("review-table").InnerTextAsync()).ShouldContain("ada@wingtip.example");
        await _portal.ScreenshotAsync("review");
        await NextAsync();
        await _portal.ByTestId("wizard-done").WaitForAsync();
        await _portal.ScreenshotAsync("done");

        // The tenant page offers the generated files; the pages carry the tenant's values as data.
        await page.GetByText("Open the tenant").ClickAsync();
        await page.WaitForURLAsync($"**/tenants/{tenant.Id}");
        await _portal.WaitForInteractiveAsync();
        await _portal.ScreenshotAsync("downloads");
        foreach (var name in new[] { "AudioOnly.html", "InSession.html" })
        {
            var download = await page.RunAndWaitForDownloadAsync(() => _portal.ByTestId($"download-{name}").ClickAsync());
            download.SuggestedFilename.ShouldBe(name);
            var html = await File.ReadAllTextAsync((await download.PathAsync())!);
            html.ShouldContain("<script type=\"application/json\" id=\"ccp-config\">");
            html.ShouldContain($"https://{instance.Alias}.my.connect.aws");
            html.ShouldNotContain("<img src=x", Case.Insensitive);
        }

        var spec = JsonNode.Parse(await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).GetStringAsync($"/api/tenants/{tenant.Id}/spec"))!;
        spec["connect"]!["instanceId"]!.GetValue<string>().ShouldBe(instance.Id);
        spec["connect"]!["agents"]![0]!["firstName"]!.GetValue<string>().ShouldBe("<img src=x onerror=alert(1)>");
        spec["hosting"]!["mode"]!.GetValue<string>().ShouldBe("publicBucket");
        _dialogSeen.ShouldBeFalse("a value typed into a field must never run as script");
    }

    private async Task NextAsync()
    {
        // Scroll first, as a person would: clicking in the same motion as the scroll can land while the page under the
        // pointer is still moving (the CCP preview frame below the form is tall).
        var next = _portal.ByTestId("wizard-next");
        await next.ScrollIntoViewIfNeededAsync();
        await _portal.Page.WaitForTimeoutAsync(300);
        await next.ClickAsync();
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    public void Dispose() => _app.Dispose();
}
