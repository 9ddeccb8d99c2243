using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

public sealed class UserApiTests : IDisposable
{
    private readonly SplitCcpWebFactory _app = new();

    [Theory]
    [InlineData("/api/me/tokens")]
    [InlineData("/api/users/{self}/tokens")]
    public async Task IssueToken_TheResponseCarryingTheToken_IsNeverStored(string route)
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var self = JsonDocument.Parse(await client.GetStringAsync("/api/me")).RootElement.GetProperty("id").GetString()!;

        var issued = await client.PostAsJsonAsync(route.Replace("{self}", self, StringComparison.Ordinal), new { name = "cache-check", readOnly = true });

        issued.StatusCode.ShouldBe(HttpStatusCode.Created);
        issued.Headers.CacheControl!.NoStore.ShouldBeTrue();
    }

    [Fact]
    public async Task CreateUserThenIssueToken_ByOperator_TokenActsAsThatUser()
    {
        var tenant = await _app.CreateTenantAsync("Acme", "acme");
        var operatorClient = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);

        var created = await operatorClient.PostAsJsonAsync("/api/users", new
        {
            email = "viewer@acme.example", password = "Viewer-Passw0rd-1", role = Roles.Viewer, tenantIds = new[] { tenant.Id },
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var userId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        var issued = await operatorClient.PostAsJsonAsync($"/api/users/{userId}/tokens", new { name = "grafana", readOnly = false });
        issued.StatusCode.ShouldBe(HttpStatusCode.Created);
        var token = JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        token.ShouldStartWith("sccp_");

        var viewer = _app.CreateApiClient(token);
        var me = JsonDocument.Parse(await viewer.GetStringAsync("/api/me")).RootElement;
        me.GetProperty("name").GetString().ShouldBe("viewer@acme.example");
        me.GetProperty("roles")[0].GetString().ShouldBe(Roles.Viewer);
        (await viewer.GetAsync($"/api/tenants/{tenant.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await viewer.PutAsJsonAsync($"/api/tenants/{tenant.Id}", new { displayName = "X", slug = "acme", region = "eu-west-2", accessMode = "Sandbox", version = 1 }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Users_TenantAdmin_Returns403()
    {
        var tenant = await _app.CreateTenantAsync("Acme", "acme");
        var admin = await _app.CreateUserAsync("admin@acme.example", Roles.TenantAdmin, tenant.Id);
        var client = _app.CreateApiClient(admin.Token);

        (await client.GetAsync("/api/users")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostAsJsonAsync("/api/users", new { email = "x@y.example", password = "Whatever-Passw0rd", role = Roles.MspOperator }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostAsJsonAsync($"/api/users/{admin.Id}/tokens", new { name = "escalate" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task CreateUser_InvalidInput_Returns400PerField()
    {
        var response = await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).PostAsJsonAsync("/api/users", new
        {
            email = "not-an-email", role = "Overlord", tenantIds = new[] { Guid.NewGuid() },
        });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        errors.TryGetProperty("email", out _).ShouldBeTrue();
        errors.TryGetProperty("role", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task CreateUser_WeakPasswordGiven_Returns400AtPasswordAndCreatesNobody()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);

        var response = await client.PostAsJsonAsync("/api/users", new { email = "weak@acme.example", password = "short", role = Roles.Viewer });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("password", out _).ShouldBeTrue();
        (await client.GetStringAsync("/api/users")).ShouldNotContain("weak@acme.example");
    }

    [Fact]
    public async Task OwnTokens_CreateListRevoke_RevokedTokenIsRefused()
    {
        var client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var issued = JsonDocument.Parse(await (await client.PostAsJsonAsync("/api/me/tokens", new { name = "ci", readOnly = true })).Content.ReadAsStringAsync()).RootElement;
        var token = issued.GetProperty("token").GetString()!;
        var tokenId = issued.GetProperty("details").GetProperty("id").GetGuid();

        var listed = await client.GetStringAsync("/api/me/tokens");
        listed.ShouldContain("\"ci\"");
        listed.ShouldNotContain(token);
        (await _app.CreateApiClient(token).GetAsync("/api/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await client.DeleteAsync($"/api/me/tokens/{tokenId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await _app.CreateApiClient(token).GetAsync("/api/tenants")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    public void Dispose() => _app.Dispose();
}
