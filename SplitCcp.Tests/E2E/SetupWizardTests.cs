using System.Text.Json.Nodes;
using Microsoft.Playwright;
using SplitCcp.Core.Sandbox;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

[Collection(BrowserTests.Name)]
public sealed class SetupWizardTests(BrowserFixture browser) : PortalTest(browser)
{
    protected override BrowserNewContextOptions ContextOptions => new() { ViewportSize = new() { Width = 1366, Height = 900 }, AcceptDownloads = true };

    [Fact]
    public async Task Wizard_SandboxTenant_WalkedToTheEndWithADraftResumedOnTheWay()
    {
        var tenant = await App.CreateTenantAsync("Wingtip Voice", "wingtip-voice");
        var instance = SandboxConnect.Instances(tenant)[0];
        var page = Portal.Page;
        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.GotoAsync($"/tenants/{tenant.Id}");
        await Portal.WaitForInteractiveAsync();
        await Portal.ByTestId("open-setup").ClickAsync();
        await Portal.WaitForPathAsync($"/tenants/{tenant.Id}/setup");
        await Portal.WaitForInteractiveAsync();

        // Step 1: the picker lists the Sandbox's instances; Next refuses until the agent row is valid.
        await Portal.ByTestId("instance-picker").ClickAsync();
        await page.GetByText($"{instance.Alias} · SAML").ClickAsync();
        await Assertions.Expect(Portal.Input("spec-instance-id")).ToHaveValueAsync(instance.Id);
        await Assertions.Expect(Portal.Input("spec-instance-alias")).ToHaveValueAsync(instance.Alias);
        await Portal.ByTestId("add-agent").ClickAsync();
        await Portal.Input("agent-email-0").FillAsync("ada@wingtip.example");
        await Portal.Input("agent-first-0").FillAsync("<img src=x onerror=alert(1)>");
        await NextAsync();
        await page.GetByText("Enter a name.").WaitForAsync();
        await Portal.ScreenshotAsync("step1-invalid");
        await Portal.Input("agent-last-0").FillAsync("Agent");
        await NextAsync();

        // Step 2: console-only values are generated with the real instance ID.
        await Portal.ByTestId("idc-instructions").WaitForAsync();
        (await Portal.ByTestId("relay-state").InnerTextAsync()).ShouldBe(
            $"https://eu-west-2.console.aws.amazon.com/connect/federate/{instance.Id}?destination=%2Fconnect%2Fccp-v2");
        var account = SandboxAccount.AccountIdFor(tenant.Id);
        (await Portal.ByTestId("mapping-Role").InnerTextAsync()).ShouldBe(
            $"arn:aws:iam::{account}:role/SplitCcp-wingtip-voice-Agent,arn:aws:iam::{account}:saml-provider/SplitCcp-wingtip-voice-IdentityCenter");
        await Portal.Input("spec-idc-metadata-url").FillAsync("https://portal.sso.eu-west-2.amazonaws.com/saml/metadata/MTIzNDU2");
        await Portal.Input("spec-idc-start-url").FillAsync("https://d-1234567890.awsapps.com/start/#/saml/default/Wingtip/ins-1");
        await Portal.ScreenshotAsync("step2-identity-center");
        await NextAsync();
        await Portal.Input("spec-iam-provider").WaitForAsync();

        // Leave and come back: the draft resumes at the IAM step with everything typed so far.
        await page.ReloadAsync();
        await Portal.WaitForInteractiveAsync();
        await Portal.Input("spec-iam-provider").WaitForAsync();
        await Portal.ScreenshotAsync("step3-resumed");
        await NextAsync();

        // Hosting: the public bucket comes with a warning.
        await Portal.Input("spec-bucket").WaitForAsync();
        await Portal.ByTestId("hosting-public").ClickAsync();
        await Portal.ByTestId("public-bucket-warning").WaitForAsync();
        (await Portal.ByTestId("hosting-origin").InnerTextAsync()).ShouldStartWith("https://splitccp-wingtip-voice-");
        await NextAsync();
        await Portal.ByTestId("spec-hide-controls").WaitForAsync();
        var preview = page.FrameLocator("[data-testid=preview-audio-only]");
        await preview.Locator("body").GetByText("microphone", new() { Exact = false }).First.WaitForAsync();
        await Portal.ScreenshotAsync("ccp-pages-preview");
        await NextAsync();
        await Portal.Input("spec-fleet-name").WaitForAsync();
        await NextAsync();

        await Portal.ByTestId("review-ok").WaitForAsync();
        (await Portal.ByTestId("review-table").InnerTextAsync()).ShouldContain("ada@wingtip.example");
        await Portal.ScreenshotAsync("review");
        await NextAsync();
        await Portal.ByTestId("wizard-done").WaitForAsync();
        await Portal.ScreenshotAsync("done");

        // The tenant page offers the generated files; the pages carry the tenant's values as data.
        await page.GetByText("Open the tenant").ClickAsync();
        await Portal.WaitForPathAsync($"/tenants/{tenant.Id}");
        await Portal.WaitForInteractiveAsync();
        await Portal.ScreenshotAsync("downloads");
        foreach (var name in new[] { "AudioOnly.html", "InSession.html" })
        {
            var download = await page.RunAndWaitForDownloadAsync(() => Portal.ByTestId($"download-{name}").ClickAsync());
            download.SuggestedFilename.ShouldBe(name);
            var html = await File.ReadAllTextAsync((await download.PathAsync())!);
            html.ShouldContain("<script type=\"application/json\" id=\"ccp-config\">");
            html.ShouldContain($"https://{instance.Alias}.my.connect.aws");
            html.ShouldNotContain("<img src=x", Case.Insensitive);
        }

        var spec = JsonNode.Parse(await App.CreateApiClient(SplitCcpWebFactory.AdminToken).GetStringAsync($"/api/tenants/{tenant.Id}/spec"))!;
        spec["connect"]!["instanceId"]!.GetValue<string>().ShouldBe(instance.Id);
        spec["connect"]!["agents"]![0]!["firstName"]!.GetValue<string>().ShouldBe("<img src=x onerror=alert(1)>");
        spec["hosting"]!["mode"]!.GetValue<string>().ShouldBe("publicBucket");
        DialogSeen.ShouldBeFalse("a value typed into a field must never run as script");
    }

    [Fact]
    public async Task Wizard_CompleteSetupBrowsedWithBackSaveAndStepTitles_StaysCompleteWithNoNewVersion()
    {
        var api = App.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var created = await api.PostAsync("/api/demo-tenants", null);
        created.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        var tenantId = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var before = await SpecStatusAsync(api, tenantId);
        before.Status.ShouldBe("complete");

        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        await Portal.GotoAsync($"/tenants/{tenantId}/setup");
        await Portal.WaitForInteractiveAsync();
        await ExpectActiveStepAsync("Review");
        await Assertions.Expect(Portal.ByTestId("draft-saved")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Saved "));

        // Back to the first step, then Save and continue through every step without changing anything.
        string[] titles = ["Instance", "Identity Center", "IAM", "Hosting", "CCP pages", "AppStream", "Review"];
        foreach (var title in titles[..^1].Reverse())
        {
            await Portal.ByTestId("wizard-back").ClickAsync();
            await ExpectActiveStepAsync(title);
        }

        foreach (var title in titles[1..])
        {
            await NextAsync();
            await ExpectActiveStepAsync(title);
        }

        (await SpecStatusAsync(api, tenantId)).ShouldBe(before, "moving between steps wrote a version or turned the setup into a draft");

        // Every step of a complete setup is valid, so its title takes the operator there, by keyboard too.
        var hosting = StepTitle("Hosting");
        await hosting.FocusAsync();
        await Portal.Page.Keyboard.PressAsync("Enter");
        await ExpectActiveStepAsync("Hosting");
        await Portal.Page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(StepTitle("CCP pages")).ToBeFocusedAsync();
        await Portal.Page.Keyboard.PressAsync("Space");
        await ExpectActiveStepAsync("CCP pages");
        await Portal.ScreenshotAsync("complete-setup-step-titles");
        await StepTitle("Review").ClickAsync();
        await ExpectActiveStepAsync("Review");
        await NextAsync();
        await Portal.ByTestId("wizard-done").WaitForAsync();

        (await SpecStatusAsync(api, tenantId)).ShouldBe(before, "saving an unchanged setup wrote a version");
    }

    private ILocator StepTitle(string title) =>
        Portal.ByTestId("wizard").GetByRole(AriaRole.Tab).Filter(new() { Has = Portal.Page.GetByText(title, new() { Exact = true }) });

    private Task ExpectActiveStepAsync(string title) => Assertions.Expect(StepTitle(title)).ToHaveAttributeAsync("aria-selected", "true");

    private static async Task<(string? Status, string? Version)> SpecStatusAsync(HttpClient api, string tenantId)
    {
        var response = await api.GetAsync($"/api/tenants/{tenantId}/spec");
        response.EnsureSuccessStatusCode();
        return (response.Headers.GetValues(SplitCcp.Web.Api.SpecEndpoints.StatusHeader).Single(), response.Headers.ETag?.Tag);
    }

    private async Task NextAsync()
    {
        // Scroll first, as a person would: clicking in the same motion as the scroll can land while the page under the
        // pointer is still moving (the CCP preview frame below the form is tall).
        var next = Portal.ByTestId("wizard-next");
        await next.ScrollIntoViewIfNeededAsync();
        await Portal.Page.WaitForTimeoutAsync(300);
        await next.ClickAsync();
    }
}
