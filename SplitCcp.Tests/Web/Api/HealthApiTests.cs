using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

/// <summary>The health API as a monitoring dashboard polls it: JSON shapes, scopes and status codes.</summary>
public sealed class HealthApiTests : IAsyncLifetime, IDisposable
{
    private readonly SplitCcpWebFactory _app = new();
    private HttpClient _admin = default!;

    public Task InitializeAsync()
    {
        _admin = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_tenant_never_checked_is_Unknown_and_check_returns_the_new_report_which_health_then_serves()
    {
        var demo = await CreateDemoAsync();

        var before = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/health");
        before.GetProperty("status").GetString().ShouldBe("Unknown");
        before.GetProperty("checkedAt").ValueKind.ShouldBe(JsonValueKind.Null);
        before.GetProperty("resources").GetArrayLength().ShouldBe(0);

        var checkedNow = await _admin.PostAsync($"/api/tenants/{demo}/check", null);
        checkedNow.StatusCode.ShouldBe(HttpStatusCode.OK);
        var report = await checkedNow.Content.ReadFromJsonAsync<JsonElement>();
        report.GetProperty("status").GetString().ShouldBe("Pending", "a setup never applied is not drift");
        report.GetProperty("message").GetString()!.ShouldStartWith("1 console step left; ");
        report.GetProperty("pendingCount").GetInt32().ShouldBeGreaterThan(0);
        report.GetProperty("driftedCount").GetInt32().ShouldBe(0);
        report.GetProperty("checkedAt").GetDateTime().ShouldBeGreaterThan(DateTime.UtcNow.AddMinutes(-1));
        var instance = report.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("key").GetString() == ResourceKeys.ConnectInstance);
        instance.GetProperty("state").GetString().ShouldBe("Pending");
        instance.GetProperty("changes").EnumerateArray().ShouldContain(c => c.GetProperty("field").GetString() == "alias"
            && c.GetProperty("expected").GetString() != null && c.GetProperty("actual").ValueKind == JsonValueKind.Null);

        var after = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/health");
        after.GetProperty("status").GetString().ShouldBe("Pending");
        after.GetProperty("message").GetString().ShouldBe(report.GetProperty("message").GetString());
        after.GetProperty("checkedAt").GetDateTime().ShouldBe(report.GetProperty("checkedAt").GetDateTime());
        after.GetProperty("resources").GetArrayLength().ShouldBe(report.GetProperty("resources").GetArrayLength());
        var history = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/health/history");
        history.GetArrayLength().ShouldBe(1);
        history[0].GetProperty("checks").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task Health_is_scoped_and_checks_need_write_access()
    {
        var demo = await CreateDemoAsync();
        var other = await CreateDemoAsync();
        var viewer = await _app.CreateUserAsync("viewer@example.com", Roles.Viewer, demo);
        var admin = await _app.CreateUserAsync("admin@example.com", Roles.TenantAdmin, demo);
        var viewerClient = _app.CreateApiClient(viewer.Token);

        (await viewerClient.GetAsync($"/api/tenants/{demo}/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await viewerClient.GetAsync($"/api/tenants/{other}/health")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await viewerClient.PostAsync($"/api/tenants/{demo}/check", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await _app.CreateApiClient(admin.ReadOnlyToken).PostAsync($"/api/tenants/{demo}/check", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await _app.CreateApiClient(admin.Token).PostAsync($"/api/tenants/{other}/check", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _app.CreateApiClient(null).GetAsync($"/api/tenants/{demo}/health")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _app.CreateApiClient(null).GetAsync("/api/health/tenants")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await viewerClient.PostAsync("/api/health/check-all", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await viewerClient.PutAsJsonAsync($"/api/tenants/{demo}/drift-settings", new { autoRemediate = true })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // After a pass over every tenant, the viewer sees their tenant but nothing of the pass: it counts the whole portal.
        (await _admin.PostAsync("/api/health/check-all?wait=true", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var scoped = await viewerClient.GetFromJsonAsync<JsonElement>("/api/health/tenants");
        scoped.GetProperty("totalCount").GetInt32().ShouldBe(1);
        scoped.GetProperty("tenants")[0].GetProperty("tenantId").GetGuid().ShouldBe(demo);
        scoped.GetProperty("counts").GetProperty("total").GetInt32().ShouldBe(1);
        scoped.GetProperty("lastPass").ValueKind.ShouldBe(JsonValueKind.Null);
        (await _admin.GetFromJsonAsync<JsonElement>("/api/health/tenants")).GetProperty("lastPass").GetProperty("tenants").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task The_summary_counts_every_status_lists_the_worst_first_and_filters_by_status_and_search()
    {
        var checkedDemo = await CreateDemoAsync();
        var neverChecked = await CreateDemoAsync();
        var unfinished = (await _app.CreateTenantAsync("Zeta unfinished", "zeta-unfinished")).Id;
        (await _admin.PostAsync($"/api/tenants/{checkedDemo}/check", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _admin.PostAsync($"/api/tenants/{unfinished}/check", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var all = await _admin.GetFromJsonAsync<JsonElement>("/api/health/tenants");

        var counts = all.GetProperty("counts");
        counts.GetProperty("total").GetInt32().ShouldBe(3);
        counts.GetProperty("pending").GetInt32().ShouldBe(1);
        counts.GetProperty("drifted").GetInt32().ShouldBe(0);
        counts.GetProperty("unknown").GetInt32().ShouldBe(2);
        counts.GetProperty("healthy").GetInt32().ShouldBe(0);
        var rows = all.GetProperty("tenants").EnumerateArray().ToList();
        rows[0].GetProperty("tenantId").GetGuid().ShouldBe(checkedDemo, "pending comes before unknown");
        rows[0].GetProperty("status").GetString().ShouldBe("Pending");
        rows[0].GetProperty("message").GetString()!.ShouldStartWith("1 console step left; ");
        rows.Select(r => r.GetProperty("tenantId").GetGuid()).ShouldBe([checkedDemo, neverChecked, unfinished], ignoreOrder: false);

        var pending = await _admin.GetFromJsonAsync<JsonElement>("/api/health/tenants?status=Pending");
        pending.GetProperty("totalCount").GetInt32().ShouldBe(1);
        (await _admin.GetFromJsonAsync<JsonElement>("/api/health/tenants?status=Drifted")).GetProperty("totalCount").GetInt32().ShouldBe(0);
        var search = await _admin.GetFromJsonAsync<JsonElement>("/api/health/tenants?search=zeta");
        search.GetProperty("tenants").EnumerateArray().Single().GetProperty("tenantId").GetGuid().ShouldBe(unfinished);
        var paged = await _admin.GetFromJsonAsync<JsonElement>("/api/health/tenants?pageSize=2&page=2");
        paged.GetProperty("tenants").GetArrayLength().ShouldBe(1);
        paged.GetProperty("totalCount").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task Check_all_answers_202_at_once_and_checks_in_the_background()
    {
        var demo = await CreateDemoAsync();

        var accepted = await _admin.PostAsync("/api/health/check-all", null);

        accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        accepted.Headers.Location!.ToString().ShouldBe("/api/health/tenants");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/health", deadline.Token)).GetProperty("status").GetString() == "Unknown")
        {
            await Task.Delay(50, deadline.Token);
        }

        (await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/health")).GetProperty("status").GetString().ShouldBe("Pending");
    }

    [Fact]
    public async Task Check_all_with_wait_answers_200_when_every_tenant_is_checked()
    {
        await CreateDemoAsync();
        await CreateDemoAsync();

        var waited = await _admin.PostAsync("/api/health/check-all?wait=true", null);

        waited.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = await waited.Content.ReadFromJsonAsync<JsonElement>();
        result.GetProperty("checked").GetInt32().ShouldBe(2);
        result.GetProperty("counts").GetProperty("pending").GetInt32().ShouldBe(2);
        result.GetProperty("counts").GetProperty("unknown").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Drift_settings_turn_auto_remediation_on_and_the_change_is_audited()
    {
        var demo = await CreateDemoAsync();

        var response = await _admin.PutAsJsonAsync($"/api/tenants/{demo}/drift-settings", new { autoRemediate = true });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/health")).GetProperty("autoRemediate").GetBoolean().ShouldBeTrue();
        var audit = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/audit");
        audit.EnumerateArray().ShouldContain(a => a.GetProperty("action").GetString() == AuditActions.DriftSettingsChanged);
    }

    [Fact]
    public async Task Ready_fails_when_the_workers_last_pass_is_older_than_three_intervals()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = new SplitCcpWebFactory()
            .WithSetting("SplitCcp:Drift:Enabled", "true")
            .WithSetting("SplitCcp:Drift:Interval", "00:01:00")
            .WithSetting("SplitCcp:Drift:TenantTimeout", "01:00:00")
            .WithSetting("SplitCcp:Sandbox:Latency", "02:00:00")
            .WithServices(services => services.AddSingleton<TimeProvider>(time));
        var client = app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        var worker = app.Services.GetRequiredService<DriftWorker>();
        await WaitUntilAsync(() => worker.LastPass is not null);
        (await client.PostAsync("/api/demo-tenants", null)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await client.GetAsync("/healthz/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The next pass waits on the Sandbox's two-hour latency, so no pass finishes while the clock moves on.
        time.Advance(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(() => worker.CurrentPass is { Tenants: 1 });
        time.Advance(TimeSpan.FromMinutes(1.5));
        (await client.GetAsync("/healthz/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        time.Advance(TimeSpan.FromMinutes(1));

        var response = await client.GetAsync("/healthz/ready");
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync()).ShouldBe("Unhealthy\ndrift-worker: The drift worker's last pass finished 4 minutes ago (limit 3).");
    }

    private async Task<Guid> CreateDemoAsync()
    {
        var response = await _admin.PostAsync("/api/demo-tenants", null);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _app.Dispose();
}
