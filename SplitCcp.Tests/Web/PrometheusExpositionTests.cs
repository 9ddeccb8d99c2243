using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Sandbox;
using SplitCcp.Tests.Core;
using SplitCcp.Tests.Core.Reconciliation;
using SplitCcp.Web.Metrics;

namespace SplitCcp.Tests.Web;

/// <summary><c>/metrics</c>' text from the instruments of a Core host, as the portal's listener aggregates them.</summary>
public sealed class PrometheusExpositionTests
{
    [Fact]
    public async Task RenderAsync_AfterChecksOfDemoTenantsUnderThrottling_CountsTenantsChecksAndEveryAwsAttempt()
    {
        await using var host = await ReconciliationTestHost.StartAsync(throttleRate: 0.3);
        using var exposition = Exposition(host.Services);
        var demos = new[] { await host.CreateDemoAsync(), await host.CreateDemoAsync() };
        await host.Host.CreateTenantAsync(host.Operator.Principal, "never-checked");
        var unfinished = await host.Host.CreateTenantAsync(host.Operator.Principal, "unfinished");
        var checker = host.Services.GetRequiredService<DriftChecker>();
        var reports = new List<TenantHealthReport>();
        foreach (var id in demos.Select(d => d.Id).Append(unfinished.Id))
        {
            reports.Add((await checker.CheckAsync(id, CancellationToken.None)).ShouldNotBeNull());
        }

        var scrape = await exposition.ScrapeAsync();

        scrape.Validate();
        reports.Select(r => r.Status).ShouldBe([TenantHealthStatus.Pending, TenantHealthStatus.Pending, TenantHealthStatus.Unknown],
            "nothing applied yet: a demo tenant's setup is still to finish");
        scrape.Value("splitccp_tenants", ("status", "Pending")).ShouldBe(2);
        foreach (var status in Enum.GetValues<TenantHealthStatus>())
        {
            var checkedNow = reports.Count(r => r.Status == status);
            var neverChecked = status == TenantHealthStatus.Unknown ? 1 : 0;
            scrape.Value("splitccp_tenants", ("status", status.ToString())).ShouldBe(checkedNow + neverChecked, status.ToString());
            scrape.Value("splitccp_drift_check_duration_seconds_count", ("status", status.ToString())).ShouldBe(checkedNow, status.ToString());
        }

        var faults = host.Services.GetRequiredService<SandboxFaults>();
        faults.Throttles.ShouldBeGreaterThan(0);
        scrape.Named("splitccp_aws_calls_total").Sum(s => s.Value).ShouldBe(faults.Attempts, "one count per attempt that reached the Sandbox");
        scrape.Named("splitccp_aws_throttled_total").Sum(s => s.Value).ShouldBe(faults.Throttles, "one count per throttled attempt, retried or not");
        scrape.Value("splitccp_aws_calls_total", ("service", "connect")).ShouldBeGreaterThan(0);
        scrape.Named("splitccp_aws_errors_total").Where(s => s.Has(("kind", "Throttled"))).Sum(s => s.Value).ShouldBe(faults.Throttles);
    }

    [Fact]
    public async Task RenderAsync_BeforeAndAfterADriftPass_ShowsThePassOnlyOnceItFinished()
    {
        await using var host = await CoreTestHost.StartAsync();
        using var exposition = Exposition(host.Services);
        var op = await host.CreateOperatorAsync();
        foreach (var slug in new[] { "one", "two", "three" })
        {
            await host.CreateTenantAsync(op.Principal, slug);
        }

        var before = await exposition.ScrapeAsync();
        before.Value("splitccp_drift_pass_running").ShouldBe(0);
        before.Types.ShouldNotContainKey("splitccp_drift_last_pass_timestamp_seconds", "no pass has finished yet");

        await host.Services.GetRequiredService<DriftWorker>().CheckAllAsync();
        var after = await exposition.ScrapeAsync();

        after.Validate();
        after.Value("splitccp_drift_pass_running").ShouldBe(0);
        after.Value("splitccp_drift_last_pass_tenants").ShouldBe(3);
        after.Value("splitccp_drift_last_pass_timestamp_seconds").ShouldBe(host.Time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
        after.Value("splitccp_drift_last_pass_duration_seconds").ShouldBe(0, "the clock is fake and never moved");
        after.Value("splitccp_tenants", ("status", "Unknown")).ShouldBe(3);
        after.Value("splitccp_drift_check_duration_seconds_count", ("status", "Unknown")).ShouldBe(3);
    }

    /// <summary>Listens from now on, as the portal does from its start.</summary>
    private static Listening Exposition(IServiceProvider services)
    {
        var listener = new PortalMeterListener(services.GetRequiredService<IMeterFactory>());
        return new Listening(listener, new PrometheusExposition(listener, services.GetRequiredService<DriftGauges>()));
    }

    private sealed class Listening(PortalMeterListener listener, PrometheusExposition exposition) : IDisposable
    {
        public async Task<PrometheusScrape> ScrapeAsync() => PrometheusScrape.Parse(await exposition.RenderAsync(CancellationToken.None));

        public void Dispose() => listener.Dispose();
    }
}
