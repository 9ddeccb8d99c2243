using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SplitCcp.Tests.Infrastructure;
using SplitCcp.Tests.Web.Api;

namespace SplitCcp.Tests.Web;

/// <summary>The portal on storage that refuses writes (a read-only data folder, a full disk) and after it comes back.</summary>
public sealed class StorageFaultTests : IDisposable
{
    private readonly StorageFaults _faults = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly SplitCcpWebFactory _app;
    private readonly HttpClient _admin;

    public StorageFaultTests()
    {
        _app = new SplitCcpWebFactory().WithServices(services =>
        {
            _faults.AddTo(services);
            services.AddSingleton<TimeProvider>(_time);
        });
        _admin = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
    }

    private static object NewTenant(string slug) => new { displayName = $"Tenant {slug}", slug, region = "eu-west-2", accessMode = "Sandbox" };

    [Fact]
    public async Task ApiRead_WhileTheDatabaseIsReadOnly_Answers200ThoughTheTokensLastUseIsDue()
    {
        await _app.CreateTenantAsync("Acme", "acme");
        _faults.ReadOnly();

        // The bootstrap token has never been used: its last-use stamp is due on this very request.
        var response = await _admin.GetAsync("/api/tenants");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Select(t => t.GetProperty("slug").GetString()).ShouldBe(["acme"]);
    }

    [Fact]
    public async Task ApiRead_ADayLaterWhileTheDatabaseIsReadOnly_Answers200()
    {
        (await _admin.GetAsync("/api/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);
        _faults.ReadOnly();
        _time.Advance(TimeSpan.FromDays(1));

        for (var i = 0; i < 3; i++)
        {
            (await _admin.GetAsync("/api/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Plan_WhileTheDatabaseIsReadOnly_IsStillMade()
    {
        var tenant = await _app.CreateTenantAsync("Acme", "acme");

        // The first call sets up the tenant's Sandbox account, which is a write.
        (await _admin.PostAsync($"/api/tenants/{tenant.Id}/plan", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        _faults.ReadOnly();

        var response = await _admin.PostAsync($"/api/tenants/{tenant.Id}/plan", null);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").GetArrayLength().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Ready_WhileTheDatabaseIsReadOnly_Answers503WithTheReason_And200OnceItCanBeWrittenAgain()
    {
        var probe = _app.CreateApiClient(null);
        (await probe.GetAsync("/healthz/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);

        _faults.ReadOnly();
        _time.Advance(TimeSpan.FromSeconds(10));
        var down = await probe.GetAsync("/healthz/ready");

        down.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var reason = await down.Content.ReadAsStringAsync();
        reason.ShouldStartWith("Unhealthy");
        reason.ShouldContain("read-only");

        _faults.Clear();
        _time.Advance(TimeSpan.FromSeconds(10));
        var up = await probe.GetAsync("/healthz/ready");

        up.StatusCode.ShouldBe(HttpStatusCode.OK, await up.Content.ReadAsStringAsync());
        (await up.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Fact]
    public async Task ApiWrite_WhileTheDiskIsFull_Answers503ProblemSayingSoAndThatNothingWasSaved()
    {
        var tenant = await _app.CreateTenantAsync("Spec Co", "spec-co");
        _faults.DiskFull();

        var response = await _admin.PutAsync($"/api/tenants/{tenant.Id}/spec", new StringContent(LargeSpec(), Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        response.Headers.RetryAfter.ShouldNotBeNull();
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().ShouldBe(503);
        problem.GetProperty("title").GetString()!.ShouldContain("disk is full");
        problem.GetProperty("detail").GetString()!.ShouldContain("Nothing was saved");
        problem.GetProperty("detail").GetString()!.ShouldContain("Free space");
        var stored = await _admin.GetAsync($"/api/tenants/{tenant.Id}/spec");
        stored.Headers.GetValues("SplitCcp-Spec-Status").Single().ShouldBe("default", "nothing was stored");
    }

    /// <summary>A valid spec with a 100 KB metadata document: more than the pages the database file has room for.</summary>
    private static string LargeSpec()
    {
        var spec = SpecApiTests.CompleteSpec();
        spec["identityCenter"]!["metadataXml"] = $"<EntityDescriptor><!--{new string('x', 100_000)}--></EntityDescriptor>";
        return spec.ToJsonString();
    }

    [Fact]
    public async Task Ready_WhileTheDiskIsFull_Answers503SayingSo()
    {
        _faults.DiskFull();
        _time.Advance(TimeSpan.FromSeconds(10));

        var response = await _app.CreateApiClient(null).GetAsync("/healthz/ready");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync()).ShouldContain("full");
    }

    [Fact]
    public async Task Writes_AfterTheFaultIsLifted_SucceedWithoutARestart_EvenThroughConnectionsOpenedDuringTheFault()
    {
        _faults.ReadOnly();

        // Requests at once, so the pool keeps several connections that were opened read-only.
        var reads = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _admin.GetAsync("/api/tenants")));
        reads.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        var refused = await _admin.PostAsJsonAsync("/api/tenants", NewTenant("refused"));
        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString()!.ShouldContain("read-only");

        _faults.Clear();
        _time.Advance(TimeSpan.FromSeconds(10));
        var ready = await _app.CreateApiClient(null).GetAsync("/healthz/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());

        var writes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _admin.PostAsJsonAsync("/api/tenants", NewTenant($"after-{i}"))));
        writes.Select(w => w.StatusCode).ShouldAllBe(s => s == HttpStatusCode.Created, await writes[0].Content.ReadAsStringAsync());
        (await _admin.GetFromJsonAsync<JsonElement>("/api/tenants")).GetProperty("items").GetArrayLength().ShouldBe(8);
    }

    [Fact]
    public async Task SignIn_WhileTheDatabaseIsReadOnly_WorksWithTheRightPassword_AndAWrongOneSaysWhyItCannotBeRecorded()
    {
        var browser = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        _faults.ReadOnly();

        var signedIn = await SplitCcpWebFactory.SubmitLoginAsync(browser, SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, "signing in reads the user and writes nothing");
        (await browser.GetAsync("/tenants")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // A failed attempt must be counted towards the lock-out: refused, with the reason, not let through.
        var refused = await SplitCcpWebFactory.SubmitLoginAsync(_app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true }),
            SplitCcpWebFactory.AdminEmail, "Wrong-Passw0rd-xx");

        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        refused.Headers.RetryAfter.ShouldNotBeNull();
        var page = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        page.ShouldContain("The data folder is read-only: the portal cannot save.");
        page.ShouldContain("Nothing was saved.");
    }

    public void Dispose() => _app.Dispose();
}
