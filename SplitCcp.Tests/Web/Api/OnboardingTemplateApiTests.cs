using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Core.Aws;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

public sealed partial class OnboardingTemplateApiTests : IAsyncLifetime, IDisposable
{
    private const string ExternalId = "onboard-ext-4242";

    private readonly SplitCcpWebFactory _app = new();
    private TenantView _tenant = default!;
    private TestUser _tenantAdmin = default!;

    public async Task InitializeAsync()
    {
        _tenant = await CreateTenantAsync(_app);
        _tenantAdmin = await _app.CreateUserAsync("admin@onboard.example", Roles.TenantAdmin, _tenant.Id);
    }

    private static async Task<TenantView> CreateTenantAsync(SplitCcpWebFactory app)
    {
        var created = await app.Services.GetRequiredService<TenantService>().CreateAsync(app.Operator(), new TenantInput
        {
            DisplayName = "Onboard Co",
            Slug = "onboard-co",
            Region = "eu-west-2",
            AccessMode = nameof(AwsAccessMode.AssumeRole),
            RoleArn = "arn:aws:iam::444455556666:role/SplitCcpPortal-onboard-co",
            ExternalId = ExternalId,
        });
        return created.ShouldBeOfType<TenantSaveResult.Saved>().Tenant;
    }

    private static string Url(Guid tenantId) => $"/api/tenants/{tenantId}/onboarding-template";

    [Fact]
    public async Task Get_TenantAdmin_ReturnsTheYamlTemplateAsAnAttachment()
    {
        var response = await _app.CreateApiClient(_tenantAdmin.Token).GetAsync(Url(_tenant.Id));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/yaml");
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        response.Content.Headers.ContentDisposition.FileName!.Trim('"').ShouldBe("splitccp-onboarding-onboard-co.yaml");
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var template = OnboardingTemplateTests.Parse(await response.Content.ReadAsStringAsync());
        var properties = template["Resources"]![OnboardingTemplate.RoleResourceName]!["Properties"]!;
        ((string)properties["RoleName"]!).ShouldBe("SplitCcpPortal-onboard-co");
        ((string)properties["AssumeRolePolicyDocument"]!["Statement"]![0]!["Condition"]!["StringEquals"]!["sts:ExternalId"]!).ShouldBe(ExternalId);
        template.ContainsKey("Parameters").ShouldBeTrue("no portal principal is configured, so the customer supplies it");
    }

    [Fact]
    public async Task Get_ConfiguredPortalPrincipal_IsTheTrustedPrincipal()
    {
        // A portal of its own: one data folder belongs to one portal at a time.
        await using var configured = new SplitCcpWebFactory().WithSetting("SplitCcp:Aws:PortalPrincipalArn", "arn:aws:iam::111122223333:role/SplitCcpPortal");
        var tenant = await CreateTenantAsync(configured);

        var template = OnboardingTemplateTests.Parse(await configured.CreateApiClient(SplitCcpWebFactory.AdminToken).GetStringAsync(Url(tenant.Id)));

        template.ContainsKey("Parameters").ShouldBeFalse();
        ((string)template["Resources"]![OnboardingTemplate.RoleResourceName]!["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]![0]!["Principal"]!["AWS"]!)
            .ShouldBe("arn:aws:iam::111122223333:role/SplitCcpPortal");
    }

    [Fact]
    public async Task Get_OtherTenantsAdmin_Returns404()
    {
        var other = await _app.CreateTenantAsync("Other", "other-co");
        var outsider = await _app.CreateUserAsync("outsider@example.com", Roles.TenantAdmin, other.Id);

        var response = await _app.CreateApiClient(outsider.Token).GetAsync(Url(_tenant.Id));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldNotContain(ExternalId);
    }

    [Fact]
    public async Task Get_NoToken_Returns401()
    {
        var response = await _app.CreateApiClient(null).GetAsync(Url(_tenant.Id));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Get_ReadOnlyToken_IsEnough()
    {
        var response = await _app.CreateApiClient(_tenantAdmin.ReadOnlyToken).GetAsync(Url(_tenant.Id));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Get_SandboxTenant_Returns409SayingWhy()
    {
        var sandbox = await _app.CreateTenantAsync("Sandbox Co", "sandbox-co");

        var response = await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).GetAsync(Url(sandbox.Id));

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync()).ShouldContain("AssumeRole");
    }

    [Fact]
    public async Task TenantPage_AssumeRoleTenant_ShowsTheExternalIdAndADownloadThatWorksWithTheSignInCookie()
    {
        var browser = await _app.CreateSignedInClientAsync(_tenantAdmin.Email, _tenantAdmin.Password);

        var page = await browser.GetStringAsync($"/tenants/{_tenant.Id}");
        var link = DownloadLink().Match(page);

        page.ShouldContain("data-testid=\"onboarding\"");
        page.ShouldContain(ExternalId);
        link.Success.ShouldBeTrue("the card has a download button");
        var download = await browser.GetAsync(WebUtility.HtmlDecode(link.Groups["href"].Value));
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        download.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldBe("splitccp-onboarding-onboard-co.yaml");
        (await download.Content.ReadAsStringAsync()).ShouldContain(ExternalId);
    }

    [Fact]
    public async Task TenantPage_SandboxTenant_HasNoOnboardingCard()
    {
        var sandbox = await _app.CreateTenantAsync("Sandbox Co", "sandbox-co");
        var browser = await _app.CreateSignedInClientAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);

        var page = await browser.GetStringAsync($"/tenants/{sandbox.Id}");

        page.ShouldContain("data-testid=\"tenant-title\"");
        page.ShouldNotContain("data-testid=\"onboarding\"");
    }

    [GeneratedRegex("href=\"(?<href>[^\"]*/onboarding-template)\"")]
    private static partial Regex DownloadLink();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _app.Dispose();
}
