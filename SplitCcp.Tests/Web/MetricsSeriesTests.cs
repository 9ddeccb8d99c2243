using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Sandbox;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web;

/// <summary>
/// What dashboards and alerts are built on: every family's name, HELP and TYPE, and every series' labels (histogram bucket
/// bounds included), as <c>/metrics</c> served them before the portal's metrics moved to System.Diagnostics.Metrics.
/// </summary>
public sealed class MetricsSeriesTests : IDisposable
{
    private readonly SplitCcpWebFactory _app = new();

    [Fact]
    public async Task Metrics_AfterADriftPassOverADemoTenant_ServesExactlyTheSeriesDashboardsKnow()
    {
        var tenant = await _app.Services.GetRequiredService<DemoTenants>().CreateAsync(_app.Operator());
        (await _app.Services.GetRequiredService<DriftChecker>().CheckAsync(tenant.Id, CancellationToken.None)).ShouldNotBeNull();
        await _app.Services.GetRequiredService<DriftWorker>().CheckAllAsync();

        var text = await _app.CreateApiClient(SplitCcpWebFactory.AdminToken).GetStringAsync("/metrics");

        var scrape = PrometheusScrape.Parse(text);
        scrape.Validate();
        Series(text).ShouldBe(await File.ReadAllTextAsync(ExpectedPath()));
    }

    /// <summary>The scrape without its values: HELP and TYPE lines as they are, each sample line cut before its value.</summary>
    private static string Series(string text) => string.Concat(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => (line.StartsWith('#') ? line : line[..line.LastIndexOf(' ')]) + "\n"));

    private static string ExpectedPath([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "MetricsSeries.txt");

    public void Dispose() => _app.Dispose();
}
