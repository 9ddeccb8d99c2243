using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Core.Reconciliation;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

/// <summary>Bulk plans, applies and checks over HTTP: waves, the stop after a failing wave, scope and validation.</summary>
[Collection(RealTimeTests.Name)]
public class BulkOperationApiTests : IAsyncLifetime, IDisposable
{
    private readonly SplitCcpWebFactory _app;

    private HttpClient _admin = default!;

    public BulkOperationApiTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the app runs on.</param>
    protected BulkOperationApiTests(StorageProvider provider)
    {
        _app = new SplitCcpWebFactory(provider: provider).WithQuickSandbox().WithSetting("SplitCcp:Bulk:PollInterval", "00:00:00.050");
    }

    public Task InitializeAsync()
    {
        _admin = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_bulk_apply_over_20_Sandbox_tenants_runs_in_waves_and_stops_after_the_wave_with_a_failure()
    {
        var tenants = new List<TenantView>();
        for (var i = 0; i < 20; i++)
        {
            tenants.Add(await _app.Services.GetRequiredService<DemoTenants>().CreateAsync(_app.Operator()));
        }

        // Waves of 5 after the canary: wave 1 is tenants 1–5, wave 2 tenants 6–10; tenant 8's stack quota is full.
        var failing = tenants[8];
        await ApplyEngineTests.FillStackQuotaAsync(_app.Services, failing);
        var console = _app.Services.GetRequiredService<SandboxConsole>();
        var later = tenants.Skip(11).ToList();
        var before = await Task.WhenAll(later.Select(t => console.ListAsync(t.Id)));

        var response = await _admin.PostAsJsonAsync("/api/bulk-operations", new { operation = "apply", tenantIds = tenants.Select(t => t.Id), waveSize = 5 });

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var started = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = started.GetProperty("id").GetGuid();
        response.Headers.Location!.ToString().ShouldBe($"/api/bulk-operations/{id}");
        started.GetProperty("waves").GetInt32().ShouldBe(5);
        var done = await PollAsync(response.Headers.Location.ToString());

        done.GetProperty("state").GetString().ShouldBe("Stopped");
        done.GetProperty("stoppedAtWave").GetInt32().ShouldBe(2);
        done.GetProperty("waveStates").EnumerateArray().Select(w => w.GetProperty("state").GetString()).ShouldBe(["Succeeded", "Succeeded", "Failed", "Skipped", "Skipped"]);
        var rows = done.GetProperty("tenants").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("tenantId").GetGuid()).ShouldBe(tenants.Select(t => t.Id), "the tenants keep the order they were chosen in");
        rows.Take(6).ShouldAllBe(r => r.GetProperty("state").GetString() == "Succeeded");
        var failed = rows[8];
        failed.GetProperty("state").GetString().ShouldBe("Failed");
        failed.GetProperty("error").GetString()!.ShouldContain("AppStream stack");
        rows.Skip(6).Take(5).Where((_, i) => i != 2).ShouldAllBe(r => r.GetProperty("state").GetString() == "Succeeded", "the failing wave ran to its end");
        rows.Skip(11).ShouldAllBe(r => r.GetProperty("state").GetString() == "Skipped" && r.GetProperty("applyId").ValueKind == JsonValueKind.Null);
        var counts = done.GetProperty("counts");
        (counts.GetProperty("succeeded").GetInt32(), counts.GetProperty("failed").GetInt32(), counts.GetProperty("skipped").GetInt32()).ShouldBe((10, 1, 9));
        done.GetProperty("summary").GetString().ShouldBe("Stopped after wave 2 had failures: 10 tenants applied, 1 failed, 9 tenants not run.");

        foreach (var (tenant, objects) in later.Zip(before))
        {
            (await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant.Id}/applies")).GetArrayLength().ShouldBe(0, $"{tenant.Slug} is never applied");
            (await console.ListAsync(tenant.Id)).Count.ShouldBe(objects.Count, $"nothing is made in {tenant.Slug}'s account");
        }

        foreach (var row in rows.Take(11).Where(r => r.GetProperty("state").GetString() == "Succeeded"))
        {
            var apply = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{row.GetProperty("tenantId").GetGuid()}/applies/{row.GetProperty("applyId").GetGuid()}");
            apply.GetProperty("state").GetString().ShouldBe("Succeeded");
        }

        var audit = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{later[0].Id}/audit");
        audit.EnumerateArray().Take(2).Select(a => a.GetProperty("action").GetString()).ShouldBe([AuditActions.BulkSkipped, AuditActions.BulkRequested]);
        (await _admin.GetFromJsonAsync<JsonElement>("/api/bulk-operations")).EnumerateArray().ShouldHaveSingleItem().GetProperty("id").GetGuid().ShouldBe(id);
    }

    [Fact]
    public async Task A_tenant_admin_cannot_include_another_tenant_a_viewer_cannot_apply_and_nothing_runs()
    {
        var mine = await _app.CreateTenantAsync("Mine", "mine");
        var other = await _app.CreateTenantAsync("Other", "other");
        var admin = await _app.CreateUserAsync("admin@mine.example", Roles.TenantAdmin, mine.Id);
        var viewer = await _app.CreateUserAsync("viewer@mine.example", Roles.Viewer, mine.Id);
        var adminClient = _app.CreateApiClient(admin.Token);

        var outside = await adminClient.PostAsJsonAsync("/api/bulk-operations", new { operation = "plan", tenantIds = new[] { mine.Id, other.Id } });
        outside.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await outside.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenantIds").EnumerateArray().Select(t => t.GetGuid()).ShouldBe([other.Id]);
        (await _app.CreateApiClient(viewer.Token).PostAsJsonAsync("/api/bulk-operations", new { operation = "apply", tenantIds = new[] { mine.Id } }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await _app.CreateApiClient(admin.ReadOnlyToken).PostAsJsonAsync("/api/bulk-operations", new { operation = "check", tenantIds = new[] { mine.Id } }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await _admin.GetFromJsonAsync<JsonElement>("/api/bulk-operations")).GetArrayLength().ShouldBe(0, "a refused request starts nothing");

        var operators = await _admin.PostAsJsonAsync("/api/bulk-operations", new { operation = "plan", allTenants = true });
        operators.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var location = operators.Headers.Location!.ToString();
        (await adminClient.GetAsync(location)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "it takes in a tenant outside the admin's scope");
        (await adminClient.PostAsync($"{location}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await adminClient.GetFromJsonAsync<JsonElement>("/api/bulk-operations")).GetArrayLength().ShouldBe(0);

        var own = await adminClient.PostAsJsonAsync("/api/bulk-operations", new { operation = "plan", allTenants = true });
        own.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await own.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenants").EnumerateArray().Select(t => t.GetProperty("tenantId").GetGuid()).ShouldBe([mine.Id]);
        (await adminClient.GetFromJsonAsync<JsonElement>(own.Headers.Location!.ToString())).GetProperty("id").GetGuid().ShouldNotBe(Guid.Empty);
    }

    [Theory]
    [InlineData("""{"operation": "destroy", "tenantIds": ["7d1c8e0b-0f4e-4a57-9a8e-5d4c3b2a1f00"]}""", "operation")]
    [InlineData("""{"operation": "apply", "tenantIds": []}""", "tenantIds")]
    [InlineData("""{"operation": "apply", "allTenants": true, "waveSize": 0}""", "waveSize")]
    [InlineData("""{"operation": "apply", "allTenants": true, "waveSize": 101}""", "waveSize")]
    public async Task A_request_that_is_not_valid_is_a_validation_problem_naming_the_field(string body, string field)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        var response = await _admin.PostAsync("/api/bulk-operations", content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe([field]);
    }

    [Fact]
    public async Task More_tenants_than_the_limit_are_refused()
    {
        await using var app = new SplitCcpWebFactory().WithSetting("SplitCcp:Bulk:MaxTenants", "2");
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await app.CreateTenantAsync($"T{i}", $"t-{i}")).Id);
        }

        var response = await app.CreateApiClient(SplitCcpWebFactory.AdminToken).PostAsJsonAsync("/api/bulk-operations", new { operation = "plan", tenantIds = ids });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("tenantIds")[0].GetString()
            .ShouldBe("A bulk operation takes at most 2 tenants; 3 were chosen. Split them into several operations.");
    }

    private async Task<JsonElement> PollAsync(string location)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        while (true)
        {
            var operation = await _admin.GetFromJsonAsync<JsonElement>(location, deadline.Token);
            if (operation.GetProperty("state").GetString() != "Running")
            {
                return operation;
            }

            await Task.Delay(100, deadline.Token);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _app.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class PostgreSqlBulkOperationApiTests() : BulkOperationApiTests(StorageProvider.PostgreSql);
