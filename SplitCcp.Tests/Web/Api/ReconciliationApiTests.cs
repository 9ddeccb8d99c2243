using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Infrastructure;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Tests.Web.Api;

/// <summary>Plan, apply, audit, Sandbox console changes and demo tenants over HTTP, as a script or a dashboard calls them.</summary>
[Collection(SplitCcp.Tests.Core.Reconciliation.RealTimeTests.Name)]
public class ReconciliationApiTests : IAsyncLifetime, IDisposable
{
    public ReconciliationApiTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the app runs on.</param>
    protected ReconciliationApiTests(StorageProvider provider)
    {
        _app = new SplitCcpWebFactory(provider: provider).WithQuickSandbox();
    }

    private readonly SplitCcpWebFactory _app;

    private HttpClient _admin = default!;

    public Task InitializeAsync()
    {
        _admin = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task DemoTenant_PlanApplyPoll_ThenPlanHasNothingToCreate()
    {
        var demo = await CreateDemoAsync();

        var plan = await (await _admin.PostAsync($"/api/tenants/{demo}/plan", null)).Content.ReadFromJsonAsync<JsonElement>();
        var items = plan.GetProperty("items").EnumerateArray().ToList();
        items.First().GetProperty("key").GetString().ShouldBe(ResourceKeys.Account);
        items.Single(i => i.GetProperty("key").GetString() == ResourceKeys.ConnectInstance).GetProperty("action").GetString().ShouldBe("Create");
        var image = items.Single(i => i.GetProperty("key").GetString() == ResourceKeys.Image);
        image.GetProperty("action").GetString().ShouldBe("Manual");
        image.GetProperty("instructions").GetArrayLength().ShouldBeGreaterThan(0);

        var fingerprint = plan.GetProperty("fingerprint").GetString()!;
        var started = await _admin.PostApplyAsync(demo, fingerprint);
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var accepted = await started.Content.ReadFromJsonAsync<JsonElement>();
        var applyId = accepted.GetProperty("id").GetGuid();
        started.Headers.Location!.ToString().ShouldBe($"/api/tenants/{demo}/applies/{applyId}");
        accepted.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("resourceKey").GetString())
            .ShouldBe(items.Where(i => i.GetProperty("action").GetString() != "InSync").Select(i => i.GetProperty("key").GetString()), "the plan confirmed is the apply's steps");

        var second = await _admin.PostApplyAsync(demo, fingerprint);
        second.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var running = await second.Content.ReadFromJsonAsync<JsonElement>();
        running.GetProperty("title").GetString().ShouldBe("An apply is already running");
        running.GetProperty("activeApplyId").GetGuid().ShouldBe(applyId);

        var apply = await PollAsync(started.Headers.Location.ToString());
        apply.GetProperty("state").GetString().ShouldBe("Succeeded");
        apply.GetProperty("steps").EnumerateArray().ShouldContain(s => s.GetProperty("resourceKey").GetString() == ResourceKeys.ConnectInstance
            && s.GetProperty("state").GetString() == "Succeeded");

        // What AWS assigned is kept in the setup, so the files that need it can be generated.
        var spec = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/spec");
        spec.GetProperty("connect").GetProperty("instanceId").GetString().ShouldNotBeNullOrEmpty();
        spec.GetProperty("hosting").GetProperty("cloudFrontDomain").GetString()!.ShouldEndWith(".cloudfront.net");
        (await _admin.GetAsync($"/api/tenants/{demo}/artifacts/image-builder.ps1")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var after = await (await _admin.PostAsync($"/api/tenants/{demo}/plan", null)).Content.ReadFromJsonAsync<JsonElement>();
        after.GetProperty("items").EnumerateArray().ShouldNotContain(i => i.GetProperty("action").GetString() == "Create" || i.GetProperty("action").GetString() == "Update");

        var audit = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/audit?take=200");
        var actions = audit.EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToList();
        actions.ShouldContain(AuditActions.ApplyFinished);
        actions.ShouldContain(AuditActions.StepSucceeded);
        audit.EnumerateArray().ShouldAllBe(a => a.GetProperty("actor").GetString() == $"{SplitCcpWebFactory.AdminEmail} (API token)");
    }

    [Fact]
    public async Task Plan_TheSameStateTwice_HasTheSameFingerprint()
    {
        var demo = await CreateDemoAsync();

        var first = await _admin.PlanAsync(demo);
        var again = await _admin.PlanAsync(demo);

        first.GetProperty("fingerprint").GetString()!.ShouldMatch("^[0-9a-f]{64}$");
        again.GetProperty("createdAt").GetDateTimeOffset().ShouldBeGreaterThan(first.GetProperty("createdAt").GetDateTimeOffset());
        again.GetProperty("fingerprint").GetString().ShouldBe(first.GetProperty("fingerprint").GetString(), "nothing changed, though the plan was made again later");
    }

    [Fact]
    public async Task Apply_WithoutAFingerprint_OrWithOneMalformed_IsAValidationProblemThatSaysToPlanFirst()
    {
        var demo = await CreateDemoAsync();

        var missing = await _admin.PostAsync($"/api/tenants/{demo}/apply", null);
        var empty = await _admin.PostAsJsonAsync($"/api/tenants/{demo}/apply", new { });
        var malformed = await _admin.PostApplyAsync(demo, "not-a-fingerprint");

        foreach (var response in new[] { missing, empty, malformed })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            problem.GetProperty("errors").GetProperty("planFingerprint")[0].GetString()!.ShouldContain($"POST /api/tenants/{demo}/plan");
        }

        (await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/applies")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Apply_OfAPlanThatChangedSince_Is409WithWhatChangedAndTheFreshPlan_WhichThenApplies()
    {
        var demo = await CreateDemoAsync();
        await _admin.ApplyAsync(demo);
        var confirmed = await _admin.PlanAsync(demo);

        // Behind the caller's back, someone deletes the bucket policy in the console.
        await _admin.TamperAsync(demo, new { resource = ResourceKeys.BucketPolicy, change = "Delete" });
        var refused = await _admin.PostApplyAsync(demo, confirmed.GetProperty("fingerprint").GetString());

        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("title").GetString().ShouldBe("The plan changed");
        problem.GetProperty("detail").GetString()!.ShouldContain("Nothing was applied");
        var change = problem.GetProperty("changes").EnumerateArray()
            .ShouldHaveSingleItem();
        (change.GetProperty("key").GetString(), change.GetProperty("kind").GetString(), change.GetProperty("was").GetString(), change.GetProperty("now").GetString())
            .ShouldBe((ResourceKeys.BucketPolicy, "Changed", "InSync", "Create"));
        var fresh = problem.GetProperty("plan");
        var freshFingerprint = problem.GetProperty("planFingerprint").GetString()!;
        fresh.GetProperty("fingerprint").GetString().ShouldBe(freshFingerprint);
        fresh.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("key").GetString() == ResourceKeys.BucketPolicy)
            .GetProperty("action").GetString().ShouldBe("Create");
        (await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/applies")).GetArrayLength().ShouldBe(1, "nothing more was applied");

        var started = await _admin.PostApplyAsync(demo, freshFingerprint);
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await PollAsync(started.Headers.Location!.ToString())).GetProperty("state").GetString().ShouldBe("Succeeded");
    }

    [Fact]
    public async Task Tamper_DeletingTheBucketPolicy_ShowsInTheNextPlan_AndBadChangesAreRefusedPerField()
    {
        var demo = await CreateDemoAsync();
        await PollAsync((await _admin.PlanAndApplyAsync(demo)).Headers.Location!.ToString());

        var deleted = await _admin.PostAsJsonAsync($"/api/tenants/{demo}/sandbox/tamper", new { resource = ResourceKeys.BucketPolicy, change = "Delete" });
        deleted.StatusCode.ShouldBe(HttpStatusCode.OK);
        var altered = await _admin.PostAsJsonAsync($"/api/tenants/{demo}/sandbox/tamper", new { resource = ResourceKeys.Bucket, change = "Alter", field = "blockPublicAcls", value = "false" });
        altered.StatusCode.ShouldBe(HttpStatusCode.OK);

        var plan = await (await _admin.PostAsync($"/api/tenants/{demo}/plan", null)).Content.ReadFromJsonAsync<JsonElement>();
        var items = plan.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("key").GetString()!);
        items[ResourceKeys.BucketPolicy].GetProperty("action").GetString().ShouldBe("Create");
        var bucket = items[ResourceKeys.Bucket];
        bucket.GetProperty("action").GetString().ShouldBe("Update");
        var change = bucket.GetProperty("changes").EnumerateArray().Single();
        (change.GetProperty("field").GetString(), change.GetProperty("expected").GetString(), change.GetProperty("actual").GetString()).ShouldBe(("blockPublicAcls", "true", "false"));

        var unknownField = await _admin.PostAsJsonAsync($"/api/tenants/{demo}/sandbox/tamper", new { resource = ResourceKeys.Bucket, change = "Alter", field = "colour", value = "red" });
        unknownField.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unknownField.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("field")[0].GetString()!.ShouldContain("objectOwnership");
        var unknownResource = await _admin.PostAsJsonAsync($"/api/tenants/{demo}/sandbox/tamper", new { resource = "nope", change = "Delete" });
        unknownResource.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Tamper_OnARealAccountTenant_IsRefused()
    {
        var real = await _app.CreateTenantAsync(new TenantInput
        {
            DisplayName = "Real Co",
            Slug = "real-co",
            Region = "eu-west-2",
            AccessMode = nameof(AwsAccessMode.DefaultCredentials),
            EndpointUrl = "http://127.0.0.1:9",
        });

        var response = await _admin.PostAsJsonAsync($"/api/tenants/{real.Id}/sandbox/tamper", new { resource = ResourceKeys.Bucket, change = "Delete" });

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Apply_ByAViewer_IsForbidden_AndAnUnfinishedSetupIsNotApplied()
    {
        var tenant = await _app.CreateTenantAsync("Draft Co", "draft-co");
        var viewer = await _app.CreateUserAsync("viewer@draft.example", Roles.Viewer, tenant.Id);

        var fingerprint = (await _admin.PlanAsync(tenant.Id)).GetProperty("fingerprint").GetString();
        (await _app.CreateApiClient(viewer.Token).PostApplyAsync(tenant.Id, fingerprint)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var draft = await _admin.PostApplyAsync(tenant.Id, fingerprint);
        draft.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await draft.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("Finish the setup wizard");
    }

    [Fact]
    public async Task DemoTenants_AreForOperatorsOnly_AndGetTheirOwnSlugs()
    {
        var other = await _app.CreateTenantAsync("Other Co", "other-co");
        var admin = await _app.CreateUserAsync("admin@other.example", Roles.TenantAdmin, other.Id);

        (await _app.CreateApiClient(admin.Token).PostAsync("/api/demo-tenants", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var first = await _admin.PostAsync("/api/demo-tenants", null);
        var second = await _admin.PostAsync("/api/demo-tenants", null);

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("slug").GetString().ShouldBe("demo");
        (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("slug").GetString().ShouldBe("demo-2");
        var spec = await _admin.GetAsync($"{first.Headers.Location}/spec");
        spec.Headers.GetValues("SplitCcp-Spec-Status").Single().ShouldBe("complete");
    }

    private async Task<JsonElement> CheckAsync(Guid tenantId)
    {
        var response = await _admin.PostAsync($"/api/tenants/{tenantId}/check", null);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task DemoTenant_EveryDemoSlugTaken_Returns409WithTheReason()
    {
        await _app.CreateTenantAsync("Demo", "demo");
        for (var n = 2; n <= 100; n++)
        {
            await _app.CreateTenantAsync($"Demo {n}", $"demo-{n}");
        }

        var response = await _admin.PostAsync("/api/demo-tenants", null);

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        detail.ShouldContain("demo-100");
        detail.ShouldContain("Delete");
    }

    private async Task<Guid> CreateDemoAsync()
    {
        var response = await _admin.PostAsync("/api/demo-tenants", null);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<JsonElement> PollAsync(string location)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var apply = await _admin.GetFromJsonAsync<JsonElement>(location, deadline.Token);
            if (apply.GetProperty("state").GetString() is not ("Pending" or "Running"))
            {
                return apply;
            }

            await Task.Delay(50, deadline.Token);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _admin.Dispose();
        _app.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The same facts on PostgreSQL.</summary>
[Collection(SplitCcp.Tests.Core.Reconciliation.RealTimeTests.Name)]
public sealed class PostgreSqlReconciliationApiTests() : ReconciliationApiTests(StorageProvider.PostgreSql);
