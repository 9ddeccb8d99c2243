using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web;

public sealed class MetricsEndpointTests : IDisposable
{
    private const string ScraperToken = "metrics-scraper-token-0123456789";

    private readonly SplitCcpWebFactory _app = new();

    [Fact]
    public async Task Metrics_NoSettingsAndNoToken_Returns401WithBearerChallenge()
    {
        var response = await _app.CreateApiClient(null).GetAsync("/metrics");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ShouldHaveSingleItem().Scheme.ShouldBe("Bearer");
    }

    [Fact]
    public async Task Metrics_NoSettingsAndOperatorApiToken_ReturnsValidExpositionFormat()
    {
        var response = await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).GetAsync("/metrics");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var contentType = response.Content.Headers.ContentType.ShouldNotBeNull();
        contentType.MediaType.ShouldBe("text/plain");
        contentType.CharSet.ShouldBe("utf-8");
        contentType.Parameters.ShouldContain(p => p.Name == "version" && p.Value == "0.0.4");
        var scrape = PrometheusScrape.Parse(await response.Content.ReadAsStringAsync());
        scrape.Validate();
        scrape.Families.ShouldContain("splitccp_tenants");
        scrape.Families.ShouldContain("splitccp_drift_check_duration_seconds");
        scrape.Families.ShouldContain("splitccp_aws_calls_total");
        scrape.Families.ShouldContain("splitccp_aws_throttled_total");
    }

    [Fact]
    public async Task Metrics_NoSettingsAndTenantAdminApiToken_Returns403()
    {
        var tenant = await _app.CreateTenantAsync("Acme", "acme");
        var admin = await _app.CreateUserAsync("tenant-admin@splitccp.test", Roles.TenantAdmin, tenant.Id);

        var response = await _app.CreateApiClient(admin.Token).GetAsync("/metrics");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Metrics_NoSettingsAndOperatorSignedInWithCookie_Returns401()
    {
        var browser = await _app.CreateSignedInClientAsync(SplitCcpWebFactory.AdminEmail, SplitCcpWebFactory.AdminPassword);
        (await browser.GetAsync("/profile")).StatusCode.ShouldBe(HttpStatusCode.OK, "the cookie is good for pages");

        var response = await browser.GetAsync("/metrics");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "another site could make a signed-in browser send the cookie");
    }

    [Fact]
    public async Task Metrics_TenantsInEveryState_CountsThemOverAllTenants()
    {
        var statuses = new TenantHealthStatus?[]
        {
            TenantHealthStatus.Healthy, TenantHealthStatus.Healthy, TenantHealthStatus.Drifted, TenantHealthStatus.Failing,
            TenantHealthStatus.Failing, TenantHealthStatus.Failing, TenantHealthStatus.Unknown, null, TenantHealthStatus.Pending,
            TenantHealthStatus.Pending,
        };
        var factory = _app.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            for (var i = 0; i < statuses.Length; i++)
            {
                var tenant = await _app.CreateTenantAsync($"Tenant {i}", $"tenant-{i}");
                if (statuses[i] is { } status)
                {
                    db.TenantDrift.Add(new TenantDrift { TenantId = tenant.Id, Status = status, CheckedAt = DateTime.UtcNow });
                }
            }

            await db.SaveChangesAsync();
        }

        var scrape = PrometheusScrape.Parse(await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).GetStringAsync("/metrics"));

        scrape.Value("splitccp_tenants", ("status", "Healthy")).ShouldBe(2);
        scrape.Value("splitccp_tenants", ("status", "Drifted")).ShouldBe(1);
        scrape.Value("splitccp_tenants", ("status", "Pending")).ShouldBe(2);
        scrape.Value("splitccp_tenants", ("status", "Failing")).ShouldBe(3);
        scrape.Value("splitccp_tenants", ("status", "Unknown")).ShouldBe(2, "one checked as unknown, one never checked");
        scrape.Named("splitccp_tenants").Sum(s => s.Value).ShouldBe(statuses.Length);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("Bearer wrong-token-of-the-same-length-01", HttpStatusCode.Unauthorized)]
    [InlineData("Bearer " + ScraperToken + "x", HttpStatusCode.Unauthorized)]
    [InlineData("Basic " + ScraperToken, HttpStatusCode.Unauthorized)]
    [InlineData("Bearer " + SplitCcpWebFactory.AdminToken, HttpStatusCode.Unauthorized)]
    [InlineData("Bearer " + ScraperToken, HttpStatusCode.OK)]
    [InlineData("bearer  " + ScraperToken + " ", HttpStatusCode.OK)]
    public async Task Metrics_ScraperTokenSet_AnswersOnlyThatToken(string? authorization, HttpStatusCode expected)
    {
        _app.WithSetting("SplitCcp:Metrics:Token", ScraperToken);
        var client = _app.CreateApiClient(null);
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        var response = await client.GetAsync("/metrics");

        response.StatusCode.ShouldBe(expected);
        if (expected == HttpStatusCode.Unauthorized)
        {
            response.Headers.WwwAuthenticate.ShouldHaveSingleItem().Scheme.ShouldBe("Bearer");
            (await response.Content.ReadAsStringAsync()).ShouldNotContain(ScraperToken);
        }
        else
        {
            PrometheusScrape.Parse(await response.Content.ReadAsStringAsync()).Validate();
        }
    }

    [Fact]
    public async Task Metrics_ScraperTokenEmpty_CountsAsUnset()
    {
        _app.WithSetting("SplitCcp:Metrics:Token", "");

        (await _app.CreateApiClient(null).GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    public void Dispose() => _app.Dispose();
}
