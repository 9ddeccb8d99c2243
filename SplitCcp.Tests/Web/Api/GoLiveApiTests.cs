using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.GoLive;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

/// <summary>The go-live routes as a script calls them: the checklist, results recorded by role, and a test session's streaming URL.</summary>
[Collection(SplitCcp.Tests.Core.Reconciliation.RealTimeTests.Name)]
public sealed class GoLiveApiTests : IDisposable
{
    private readonly SplitCcpWebFactory _app = new SplitCcpWebFactory().WithQuickSandbox();

    [Fact]
    public async Task The_checklist_is_the_services_for_every_reader_and_only_those_who_may_change_the_tenant_record_results()
    {
        var admin = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var demo = await admin.CreateDemoTenantAsync();
        var viewer = await _app.CreateUserAsync("viewer@example.com", Roles.Viewer, demo);
        var tenantAdmin = await _app.CreateUserAsync("tenant-admin@example.com", Roles.TenantAdmin, demo);
        var viewerClient = _app.CreateApiClient(viewer.Token);
        var path = $"/api/tenants/{demo}/go-live";

        var read = await viewerClient.GetFromJsonAsync<JsonElement>(path);
        var expected = (await _app.Services.GetRequiredService<GoLiveService>().GetAsync((await _app.TenantAsync(_app.Operator(), demo))!)).ShouldNotBeNull();
        var checks = read.GetProperty("checks").EnumerateArray().ToList();
        checks.Select(c => c.GetProperty("key").GetString()).ShouldBe(expected.Checks.Select(c => c.Key));
        checks.Select(c => $"{c.GetProperty("title")}|{c.GetProperty("whatToDo")}|{c.GetProperty("expect")}|{c.GetProperty("ifNot")}")
            .ShouldBe(expected.Checks.Select(c => $"{c.Title}|{c.WhatToDo}|{c.Expect}|{c.IfNot}"));
        checks.Select(c => c.GetProperty("kind").GetString()).Distinct().ShouldBe(["Automatic", "Manual"]);
        checks.ShouldAllBe(c => c.GetProperty("state").GetString() == "NotDone");
        read.GetProperty("isLive").GetBoolean().ShouldBeFalse();
        read.GetProperty("total").GetInt32().ShouldBe(GoLiveChecks.All.Count);

        // A Viewer reads but records nothing; nor does a read-only token.
        var refused = await viewerClient.PutAsJsonAsync($"{path}/checks/{GoLiveChecks.SignIn}", new { result = "Passed" });
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().ShouldBe("Viewers can look but not change anything.");
        (await _app.CreateApiClient(tenantAdmin.ReadOnlyToken).PutAsJsonAsync($"{path}/checks/{GoLiveChecks.SignIn}", new { result = "Passed" }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await viewerClient.PostAsJsonAsync($"/api/tenants/{demo}/test-session", new { userId = "maria" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await viewerClient.PostAsync($"{path}/agents", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var recorded = await _app.CreateApiClient(tenantAdmin.Token)
            .PutAsJsonAsync($"{path}/checks/{GoLiveChecks.SignIn}", new { result = "Passed", note = "Opened the CCP at once.", agent = "maria@demo.example.com" });
        recorded.StatusCode.ShouldBe(HttpStatusCode.OK);
        var signIn = (await recorded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").EnumerateArray()
            .Single(c => c.GetProperty("key").GetString() == GoLiveChecks.SignIn);
        signIn.GetProperty("state").GetString().ShouldBe("Passed");
        signIn.GetProperty("by").GetString().ShouldBe("tenant-admin@example.com (API token)");
        signIn.GetProperty("agent").GetString().ShouldBe("maria@demo.example.com");
        signIn.GetProperty("note").GetString().ShouldBe("Opened the CCP at once.");
        (await viewerClient.GetFromJsonAsync<JsonElement>(path)).GetProperty("passed").GetInt32().ShouldBe(1);
        var agents = await _app.CreateApiClient(tenantAdmin.Token).PostAsync($"{path}/agents", null);
        agents.StatusCode.ShouldBe(HttpStatusCode.OK);
        var checkedAgents = await agents.Content.ReadFromJsonAsync<JsonElement>();
        checkedAgents.GetProperty("agentsCheckedAt").ValueKind.ShouldBe(JsonValueKind.String);
        checkedAgents.GetProperty("agents")[0].GetProperty("connectUser").GetProperty("state").GetString().ShouldBe("Unknown", "nothing is applied yet");

        var automatic = await admin.PutAsJsonAsync($"{path}/checks/{GoLiveChecks.Fleet}", new { result = "Passed" });
        automatic.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await automatic.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("ticked by the portal itself");
        (await admin.PutAsJsonAsync($"{path}/checks/no-such-check", new { result = "Passed" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var noNote = await admin.PutAsJsonAsync($"{path}/checks/{GoLiveChecks.TestCall}", new { result = "Failed" });
        noNote.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noNote.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("note")[0].GetString()!.ShouldContain("needs a note");
        var other = await admin.CreateDemoTenantAsync();
        (await viewerClient.GetAsync($"/api/tenants/{other}/go-live")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_test_session_answers_a_streaming_url_with_its_expiry_once_the_fleet_runs_and_no_cache_may_keep_it()
    {
        var admin = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var demo = await admin.CreateDemoTenantAsync();
        var path = $"/api/tenants/{demo}/test-session";

        var early = await admin.PostAsJsonAsync(path, new { userId = "maria" });
        early.StatusCode.ShouldBe(HttpStatusCode.Conflict, "nothing is applied yet: there is no stack");
        var invalid = await admin.PostAsJsonAsync(path, new { userId = "x" });
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("userId")[0].GetString()!.ShouldContain("2 to 32 characters");

        await admin.ConvergeAsync(demo);
        var started = await admin.PostAsJsonAsync(path, new { userId = "maria" });

        started.StatusCode.ShouldBe(HttpStatusCode.OK);
        started.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var session = await started.Content.ReadFromJsonAsync<JsonElement>();
        session.GetProperty("streamingUrl").GetString()!.ShouldStartWith("https://appstream2.eu-west-2.aws.amazon.com/authenticate?parameters=");
        session.GetProperty("userId").GetString().ShouldBe("maria");
        session.GetProperty("expiresAt").GetDateTime().ShouldBeInRange(DateTime.UtcNow.AddMinutes(4), DateTime.UtcNow.AddMinutes(5));
        var audit = await admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/audit");
        audit.EnumerateArray().ShouldContain(a => a.GetProperty("action").GetString() == AuditActions.TestSession);
        audit.GetRawText().ShouldNotContain(new Uri(session.GetProperty("streamingUrl").GetString()!).Query);
    }

    public void Dispose() => _app.Dispose();
}
