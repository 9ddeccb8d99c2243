using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

/// <summary>GET /api/activity: the identity activity for MSP operators, recorded from API requests with their address.</summary>
public sealed class ActivityApiTests : IDisposable
{
    private const string Address = "192.0.2.44";

    private readonly SplitCcpWebFactory _app = new SplitCcpWebFactory().WithClientAddress(Address);

    private HttpClient Admin => _app.CreateApiClient(SplitCcpWebFactory.AdminToken);

    [Fact]
    public async Task RoleChangeAndTokenIssuedThroughTheApi_AreListedNewestFirstWithWhoWhomAndWhere()
    {
        var viewer = await _app.CreateUserAsync("viewer@acme.example", Roles.Viewer);
        (await Admin.PutAsJsonAsync($"/api/users/{viewer.Id}", new { email = viewer.Email, role = Roles.TenantAdmin })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Admin.PostAsJsonAsync($"/api/users/{viewer.Id}/tokens", new { name = "grafana", expiresInDays = 30 })).StatusCode.ShouldBe(HttpStatusCode.Created);

        var page = await Admin.GetFromJsonAsync<JsonElement>($"/api/activity?userId={viewer.Id}");

        var items = page.GetProperty("items").EnumerateArray().ToList();
        items.Select(e => e.GetProperty("kind").GetString()).ShouldBe(["TokenIssued", "RoleChanged", "TokenIssued", "TokenIssued", "UserCreated"],
            "the two tokens the test set-up issued the user come after its creation");
        page.GetProperty("total").GetInt32().ShouldBe(5);
        foreach (var recorded in items.Take(2))
        {
            recorded.GetProperty("actor").GetString().ShouldBe($"{SplitCcpWebFactory.AdminEmail} (API token)");
            recorded.GetProperty("subjectId").GetString().ShouldBe(viewer.Id);
            recorded.GetProperty("subject").GetString().ShouldBe(viewer.Email);
            recorded.GetProperty("remoteAddress").GetString().ShouldBe(Address);
        }

        items[0].GetProperty("summary").GetString()!.ShouldStartWith("Issued the API token “grafana”");
        items[1].GetProperty("summary").GetString().ShouldBe("Role changed from Viewer to Tenant admin.");
    }

    [Fact]
    public async Task List_FilteredByKind_AndPaged()
    {
        await _app.CreateUserAsync("one@example.com", Roles.Viewer);
        await _app.CreateUserAsync("two@example.com", Roles.Viewer);

        var created = await Admin.GetFromJsonAsync<JsonElement>("/api/activity?kind=UserCreated&pageSize=1&page=2");

        created.GetProperty("total").GetInt32().ShouldBe(3, "the bootstrap admin and the two users");
        created.GetProperty("items").EnumerateArray().ShouldHaveSingleItem().GetProperty("subject").GetString().ShouldBe("one@example.com");
        (await Admin.GetAsync("/api/activity?kind=Teleported")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData(Roles.TenantAdmin)]
    [InlineData(Roles.Viewer)]
    public async Task List_NotAnOperator_Gets403(string role)
    {
        var user = await _app.CreateUserAsync("someone@example.com", role);

        var refused = await _app.CreateApiClient(user.Token).GetAsync("/api/activity");
        var csv = await _app.CreateApiClient(user.Token).GetAsync("/api/activity?format=csv");

        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        csv.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Content.ReadAsStringAsync()).ShouldNotContain(SplitCcpWebFactory.AdminEmail);
        var browser = await _app.CreateSignedInClientAsync(user.Email, user.Password);
        var download = await browser.GetAsync("/export/activity");
        download.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        download.Headers.Location!.ToString().ShouldContain("/account/access-denied");
    }

    [Fact]
    public async Task List_OperatorsReadOnlyTokenReads_AndNoTokenIs401()
    {
        var op = await _app.CreateUserAsync("second-operator@example.com", Roles.MspOperator);

        (await _app.CreateApiClient(op.ReadOnlyToken).GetAsync("/api/activity")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _app.CreateApiClient(null).GetAsync("/api/activity")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task List_AsCsv_HoldsTheJsonRows_WhatSomeoneTypedNeutralised()
    {
        await _app.CreateUserAsync("viewer@example.com", Roles.Viewer);
        await SplitCcpWebFactory.SubmitLoginAsync(_app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true }), "=1+2@example.com", "Wrong-Passw0rd-xx");
        var json = await Admin.GetFromJsonAsync<JsonElement>("/api/activity?pageSize=200");

        var response = await Admin.GetAsync("/api/activity?format=csv");

        response.Content.Headers.ContentDisposition!.FileName.ShouldBe($"identity-activity-{DateTime.UtcNow:yyyy-MM-dd}.csv");
        var csv = Rfc4180.Parse(await response.Content.ReadAsStringAsync());
        csv[0].ShouldBe(["id", "at", "kind", "actorId", "actor", "subjectId", "subject", "remoteAddress", "summary"]);
        Rfc4180.ShouldMatchJson(csv, json.GetProperty("items"));
        csv[1][Array.IndexOf(csv[0], "actor")].ShouldBe("'=1+2@example.com");
    }

    public void Dispose() => _app.Dispose();
}
