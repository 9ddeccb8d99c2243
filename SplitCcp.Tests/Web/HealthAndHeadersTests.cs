using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SplitCcp.Core.Persistence;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web;

public sealed class HealthAndHeadersTests : IDisposable
{
    private readonly SplitCcpWebFactory _app = new();

    private static int Migrations => typeof(SplitCcpDbContext).Assembly.GetTypes()
        .Count(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).Length > 0
            && t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute), false)
                .Cast<Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute>().Single().ContextType == typeof(SplitCcp.Core.Persistence.SqliteSplitCcpDbContext));

    [Fact]
    public async Task Healthz_Anonymous_ReturnsHealthyText()
    {
        var response = await _app.CreateApiClient(null).GetAsync("/healthz");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Fact]
    public async Task Ready_MigratedDatabase_Returns200()
    {
        var response = await _app.CreateApiClient(null).GetAsync("/healthz/ready");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Fact]
    public async Task Ready_DatabaseReplacedByAnEmptyOne_Returns503()
    {
        var client = _app.CreateApiClient(null);
        (await client.GetAsync("/healthz/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Pooled connections would keep the old file alive; after this, the next connection opens a fresh, unmigrated file.
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_app.DatabasePath)!, "splitccp.db*"))
        {
            File.Delete(file);
        }

        var response = await client.GetAsync("/healthz/ready");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        // Whether the empty file is already there when the check looks (the storage check writes to it) decides which it says.
        // The checks run side by side: one that failed to open the file may have told the storage check before it answers.
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        lines[0].ShouldBe("Unhealthy");
        lines[1].ShouldBeOneOf("database: The database cannot be reached.", $"database: {Migrations} database migration(s) not applied yet.");
        lines.Skip(2).ShouldAllBe(line => line.StartsWith("storage: The database cannot be written: the database file cannot be opened", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/api/tenants")]
    [InlineData("/account/login")]
    [InlineData("/does-not-exist")]
    public async Task AnyResponse_CarriesSecurityHeaders(string path)
    {
        var response = await _app.CreateApiClient(null).GetAsync(path);

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("frame-ancestors 'none'");
        csp.ShouldContain("form-action 'self';", Case.Sensitive, "with company sign-in off, forms post to this origin only");
        csp.ShouldContain("script-src 'self'");
        csp.ShouldNotContain("unsafe-eval");
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer");
    }

    [Fact]
    public async Task OpenApi_Anonymous_DescribesTheTenantApi()
    {
        var response = await _app.CreateApiClient(null).GetAsync("/openapi/v1.json");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = doc.RootElement.GetProperty("paths");
        paths.TryGetProperty("/api/tenants", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/tenants/{tenantId}", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/users/{id}/tokens", out _).ShouldBeTrue();
    }

    public void Dispose() => _app.Dispose();
}
