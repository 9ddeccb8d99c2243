using System.Text.Json.Nodes;
using Microsoft.Playwright;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

/// <summary>The portal on a phone, 390 px wide: nothing cut off on the pages an operator walks through, the app bar on one line.</summary>
[Collection(BrowserTests.Name)]
public sealed class NarrowScreenTests(BrowserFixture browser) : PortalTest(browser)
{
    protected override BrowserNewContextOptions ContextOptions => new() { ViewportSize = new() { Width = 390, Height = 844 } };

    [Fact]
    public async Task At_390_px_the_tenant_page_the_setup_wizard_and_the_api_reference_cut_nothing_off()
    {
        var api = App.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var created = await api.PostAsync("/api/demo-tenants", null);
        var tenantId = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        (await api.PostAsync($"/api/tenants/{tenantId}/plan", null)).EnsureSuccessStatusCode();

        await Portal.SignInAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        var problems = new List<string>();
        var signOut = (await Portal.ByTestId("sign-out").BoundingBoxAsync()).ShouldNotBeNull();
        if (signOut.Height > 40)
        {
            problems.Add($"Sign out wraps: {signOut.Height} px high");
        }

        async Task CheckAsync(string name)
        {
            await Portal.ScreenshotAsync(name);
            problems.AddRange((await Portal.ClippedAsync()).Select(p => $"{name}: {p}"));
        }

        await Portal.GotoAsync($"/tenants/{tenantId}");
        await Portal.WaitForInteractiveAsync();
        await Assertions.Expect(Portal.ByTestId("downloads")).ToBeVisibleAsync();
        await CheckAsync("tenant");

        await Portal.GotoAsync($"/tenants/{tenantId}/setup");
        await Portal.WaitForInteractiveAsync();
        await Portal.ByTestId("wizard").WaitForAsync();
        await CheckAsync("setup-review");

        await Portal.GotoAsync("/api-reference");
        await Portal.ByTestId("api-operation").First.WaitForAsync();
        await CheckAsync("api-reference");

        problems.ShouldBeEmpty();

        // The same pages on a desktop, for the screenshots and the same check.
        await Portal.Page.SetViewportSizeAsync(1280, 860);
        foreach (var (name, path) in new[] { ("tenant-desktop", $"/tenants/{tenantId}"), ("setup-review-desktop", $"/tenants/{tenantId}/setup"), ("api-reference-desktop", "/api-reference") })
        {
            await Portal.GotoAsync(path);
            await Portal.WaitForInteractiveAsync();
            await CheckAsync(name);
        }

        problems.ShouldBeEmpty();
    }
}
