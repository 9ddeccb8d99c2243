using System.Net;
using System.Text;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

public sealed class ArtifactApiTests : IAsyncLifetime, IDisposable
{
    private readonly SplitCcpWebFactory _app = new();
    private HttpClient _client = default!;
    private TenantView _tenant = default!;

    public async Task InitializeAsync()
    {
        _tenant = await _app.CreateTenantAsync("Files Co", "files-co");
        _client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var put = await _client.PutAsync($"/api/tenants/{_tenant.Id}/spec", new StringContent(SpecApiTests.CompleteSpec().ToJsonString(), Encoding.UTF8, "application/json"));
        put.EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData("AudioOnly.html", "text/html", "allowFramedSoftphone")]
    [InlineData("InSession.html", "text/html", "allowFramedSoftphone")]
    [InlineData("connect-streams.js", "text/javascript", "connect")]
    [InlineData("image-builder.ps1", "text/plain", "image-assistant")]
    [InlineData("agent-firefox-policies.json", "application/json", "Microphone")]
    public async Task Get_CompleteSpec_ReturnsTheFileAsAnAttachment(string name, string mediaType, string expectedText)
    {
        var response = await _client.GetAsync($"/api/tenants/{_tenant.Id}/artifacts/{name}");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe(mediaType);
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        response.Content.Headers.ContentDisposition.FileName!.Trim('"').ShouldBe(name);
        (await response.Content.ReadAsStringAsync()).ShouldContain(expectedText);
    }

    [Fact]
    public async Task Get_ChromeRegistry_IsUtf16WithByteOrderMark()
    {
        var response = await _client.GetAsync($"/api/tenants/{_tenant.Id}/artifacts/agent-chrome.reg");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        bytes[..2].ShouldBe(new byte[] { 0xFF, 0xFE });
        Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2).ShouldStartWith("Windows Registry Editor Version 5.00");
    }

    [Fact]
    public async Task Get_ConnectStreams_IsThePinnedRelease()
    {
        var bytes = await _client.GetByteArrayAsync($"/api/tenants/{_tenant.Id}/artifacts/connect-streams.js");

        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)).ShouldBe(ConnectStreamsAsset.Instance.Sha256);
    }

    [Theory]
    [InlineData("secrets.txt")]
    [InlineData("..%2Fappsettings.json")]
    [InlineData("audioonly.html")]
    public async Task Get_UnknownName_Returns404ListingTheNames(string name)
    {
        var response = await _client.GetAsync($"/api/tenants/{_tenant.Id}/artifacts/{name}");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldContain("AudioOnly.html");
    }

    [Fact]
    public async Task Get_CloudFrontWithoutDomain_Returns409SayingWhatIsMissing()
    {
        var spec = SpecApiTests.CompleteSpec();
        spec["hosting"]!["mode"] = "cloudFront";
        (await _client.PutAsync($"/api/tenants/{_tenant.Id}/spec", new StringContent(spec.ToJsonString(), Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        var response = await _client.GetAsync($"/api/tenants/{_tenant.Id}/artifacts/image-builder.ps1");

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync()).ShouldContain("cannot be generated yet");
    }

    [Fact]
    public async Task NotReadyAsync_CloudFrontWithoutDomain_ListsTheFilesThatNeedTheOriginOnly()
    {
        var spec = SpecApiTests.CompleteSpec();
        spec["hosting"]!["mode"] = "cloudFront";
        (await _client.PutAsync($"/api/tenants/{_tenant.Id}/spec", new StringContent(spec.ToJsonString(), Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var artifacts = (TenantArtifacts)_app.Services.GetService(typeof(TenantArtifacts))!;

        var notReady = await artifacts.NotReadyAsync((await _app.TenantAsync(_app.Operator(), _tenant.Id))!);

        notReady!.Keys.ShouldBe(["image-builder.ps1", "agent-chrome.reg", "agent-firefox-policies.json"], ignoreOrder: true);
        notReady.Values.ShouldAllBe(reason => reason.Length > 0);
    }

    [Fact]
    public async Task NotReadyAsync_TenantOutsideScope_TheCallerGetsNoTenantToAskFor()
    {
        var other = await _app.CreateTenantAsync("Other", "other-co");
        var outsider = await _app.CreateUserAsync("outsider@example.com", Roles.TenantAdmin, other.Id);

        (await _app.TenantAsync(SplitCcpWebFactory.Principal(outsider.Id, Roles.TenantAdmin), _tenant.Id)).ShouldBeNull();
    }

    [Fact]
    public async Task Get_BrowserDownloadRoute_WorksWithTheSignInCookie()
    {
        var browser = await _app.CreateSignedInClientAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);

        var response = await browser.GetAsync($"/tenants/{_tenant.Id}/artifacts/InSession.html");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
    }

    [Fact]
    public async Task Get_OtherTenantsAdmin_Returns404()
    {
        var other = await _app.CreateTenantAsync("Other", "other-co");
        var outsider = await _app.CreateUserAsync("outsider@example.com", Roles.TenantAdmin, other.Id);

        var response = await _app.CreateApiClient(outsider.Token).GetAsync($"/api/tenants/{_tenant.Id}/artifacts/AudioOnly.html");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _app.Dispose();
}
