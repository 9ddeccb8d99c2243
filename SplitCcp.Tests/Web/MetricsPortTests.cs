using System.Net;
using System.Net.Http.Headers;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web;

/// <summary>The metrics port on the real server: the portal started as a process, on free loopback ports.</summary>
public sealed class MetricsPortTests
{
    private const string ScraperToken = "metrics-scraper-token-0123456789";

    [Fact]
    public async Task MetricsPort_WithUrlsConfigured_ServesMetricsThereAnonymouslyAndThePortalStaysOnItsUrl()
    {
        var (main, metrics) = (PortalProcess.FreePort(), PortalProcess.FreePort());
        await using var portal = await PortalProcess.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = PortalProcess.Url(main),
            ["SplitCcp__Metrics__Port"] = metrics.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, new Uri(PortalProcess.Url(main, "/healthz")));
        using var http = new HttpClient();

        var scrape = await http.GetAsync(PortalProcess.Url(metrics, "/metrics"));
        scrape.StatusCode.ShouldBe(HttpStatusCode.OK, portal.Output);
        PrometheusScrape.Parse(await scrape.Content.ReadAsStringAsync()).Validate();
        (await http.GetAsync(PortalProcess.Url(metrics, "/healthz"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await http.GetAsync(PortalProcess.Url(main, "/metrics"))).StatusCode.ShouldBe(HttpStatusCode.NotFound, "only the metrics port serves them");
        (await http.GetAsync(PortalProcess.Url(main, "/account/login"))).StatusCode.ShouldBe(HttpStatusCode.OK, "the portal is on its own URL");
        (await http.GetAsync(PortalProcess.Url(metrics, "/account/login"))).StatusCode.ShouldBe(HttpStatusCode.NotFound, "the metrics port serves nothing else");
        (await http.GetAsync(PortalProcess.Url(metrics, "/api/tenants"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // The Host header is the client's to choose; the port the connection arrived on is not.
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, PortalProcess.Url(main, "/metrics"));
        spoofed.Headers.Host = $"127.0.0.1:{metrics}";
        (await http.SendAsync(spoofed)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task MetricsPort_WithTokenAndHttpPortsConfigured_StillNeedsTheTokenOnTheMetricsPort()
    {
        var (main, metrics) = (PortalProcess.FreePort(), PortalProcess.FreePort());
        await using var portal = await PortalProcess.StartAsync(new Dictionary<string, string>
        {
            // The container's way of setting the port: no URLs at all.
            ["ASPNETCORE_HTTP_PORTS"] = main.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SplitCcp__Metrics__Port"] = metrics.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SplitCcp__Metrics__Token"] = ScraperToken,
        }, new Uri(PortalProcess.Url(main, "/healthz")));
        using var http = new HttpClient();

        var anonymous = await http.GetAsync(PortalProcess.Url(metrics, "/metrics"));
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, portal.Output);
        anonymous.Headers.WwwAuthenticate.ShouldHaveSingleItem().Scheme.ShouldBe("Bearer");

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScraperToken);
        (await http.GetAsync(PortalProcess.Url(metrics, "/metrics"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync(PortalProcess.Url(main, "/metrics"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        portal.Output.ShouldNotContain(ScraperToken);
    }
}
