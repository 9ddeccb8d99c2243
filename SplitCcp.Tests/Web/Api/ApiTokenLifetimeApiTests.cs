using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

/// <summary>Token lifetimes through the API: chosen at creation within the maximum, and an expired token told apart from an unknown one.</summary>
public sealed class ApiTokenLifetimeApiTests : IDisposable
{
    private static readonly DateTime s_now = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly FakeTimeProvider _time = new(s_now);
    private readonly SplitCcpWebFactory _app;

    public ApiTokenLifetimeApiTests()
    {
        _app = new SplitCcpWebFactory().WithSetting("SplitCcp:Security:MaxTokenLifetime", "120.00:00:00")
            .WithServices(services => services.AddSingleton<TimeProvider>(_time));
    }

    [Theory]
    [InlineData("/api/me/tokens")]
    [InlineData("/api/users/{self}/tokens")]
    public async Task IssueToken_NoLifetime_ExpiresAfter90Days_AChosenOneAfterThat(string route)
    {
        var user = await _app.CreateUserAsync("ops@example.com", Roles.MspOperator);
        var client = _app.CreateApiClient(user.Token);
        var path = route.Replace("{self}", user.Id, StringComparison.Ordinal);

        var byDefault = await IssueAsync(client, path, new { name = "default" });
        var chosen = await IssueAsync(client, path, new { name = "chosen", expiresInDays = 120 });

        byDefault.GetProperty("details").GetProperty("expiresAt").GetDateTime().ShouldBe(s_now.AddDays(90));
        chosen.GetProperty("details").GetProperty("expiresAt").GetDateTime().ShouldBe(s_now.AddDays(120));
        var listed = await client.GetFromJsonAsync<JsonElement>("/api/me/tokens");
        listed.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "chosen").GetProperty("expiresAt").GetDateTime().ShouldBe(s_now.AddDays(120));
    }

    [Theory]
    [InlineData("/api/me/tokens")]
    [InlineData("/api/users/{self}/tokens")]
    public async Task IssueToken_BeyondTheMaximum_Is400SayingTheMaximum(string route)
    {
        var user = await _app.CreateUserAsync("ops@example.com", Roles.MspOperator);
        var client = _app.CreateApiClient(user.Token);

        var refused = await client.PostAsJsonAsync(route.Replace("{self}", user.Id, StringComparison.Ordinal), new { name = "forever", expiresInDays = 121 });

        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        errors.GetProperty("expiresInDays")[0].GetString()
            .ShouldBe("A token lives at most 120 days here: that is the longest this portal allows (SplitCcp:Security:MaxTokenLifetime).");
        (await client.GetFromJsonAsync<JsonElement>("/api/me/tokens")).EnumerateArray().ShouldNotContain(t => t.GetProperty("name").GetString() == "forever");
    }

    [Fact]
    public async Task ExpiredToken_Is401SayingItExpired_UnlikeAnUnknownOne()
    {
        var user = await _app.CreateUserAsync("ci@example.com", Roles.TenantAdmin);
        var issued = await IssueAsync(_app.CreateApiClient(user.Token), "/api/me/tokens", new { name = "nightly", expiresInDays = 7 });
        var token = _app.CreateApiClient(issued.GetProperty("token").GetString());
        (await token.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        _time.Advance(TimeSpan.FromDays(7));
        var expired = await token.GetAsync("/api/me");
        var unknown = await _app.CreateApiClient("sccp_" + new string('x', 43)).GetAsync("/api/me");

        expired.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        const string Said = "The API token expired on 2026-03-08 12:00 UTC. Create a new one on your profile page, or ask an MSP operator for one.";
        (await expired.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().ShouldBe(Said);
        var challenge = expired.Headers.WwwAuthenticate.ShouldHaveSingleItem();
        challenge.Scheme.ShouldBe("Bearer");
        challenge.Parameter.ShouldBe($"error=\"invalid_token\", error_description=\"{Said}\"");
        unknown.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().ShouldBe("The API token is unknown or has been revoked.");
        unknown.Headers.WwwAuthenticate.ShouldHaveSingleItem().Parameter!.ShouldNotContain("expired");
    }

    private static async Task<JsonElement> IssueAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public void Dispose() => _app.Dispose();
}
