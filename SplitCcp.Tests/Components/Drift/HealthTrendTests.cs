using Bunit;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Web.Components.Drift;

namespace SplitCcp.Tests.Components.Drift;

/// <summary>The dashboard's chart of drifted, pending and failing tenants over time, worked out from the history stretches.</summary>
public sealed class HealthTrendTests : IAsyncLifetime
{
    private static readonly TimeSpan s_window = TimeSpan.FromHours(6);

    private DriftComponentHost _host = null!;
    private TenantView _a = null!;
    private TenantView _b = null!;
    private TenantView _c = null!;
    private TenantView _d = null!;

    public async Task InitializeAsync()
    {
        _host = await DriftComponentHost.StartAsync();
        _a = await _host.CreateTenantAsync("alpha", "Alpha");
        _b = await _host.CreateTenantAsync("bravo", "Bravo");
        _c = await _host.CreateTenantAsync("charlie", "Charlie");
        _d = await _host.CreateTenantAsync("delta", "Delta");
        var now = _host.Now;

        // Alpha: healthy, then drifted from three hours ago (exactly on a point of the chart).
        await _host.StoreCheckAsync(_a.Id, TenantHealthStatus.Healthy, firstCheckedAt: now.AddHours(-6), lastCheckedAt: now.AddHours(-3.1), latest: false);
        await _host.StoreCheckAsync(_a.Id, TenantHealthStatus.Drifted, firstCheckedAt: now.AddHours(-3), lastCheckedAt: now);

        // Bravo: first checked half an hour into the window, failing, then healthy from four hours ago.
        await _host.StoreCheckAsync(_b.Id, TenantHealthStatus.Failing, firstCheckedAt: now.AddHours(-5.5), lastCheckedAt: now.AddHours(-4.1), latest: false);
        await _host.StoreCheckAsync(_b.Id, TenantHealthStatus.Healthy, firstCheckedAt: now.AddHours(-4), lastCheckedAt: now);

        // Charlie: drifted since before the window began.
        await _host.StoreCheckAsync(_c.Id, TenantHealthStatus.Drifted, firstCheckedAt: now.AddHours(-10), lastCheckedAt: now);

        // Delta: set up two hours ago, its setup not finished since.
        await _host.StoreCheckAsync(_d.Id, TenantHealthStatus.Pending, firstCheckedAt: now.AddHours(-2), lastCheckedAt: now);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task GetTrendAsync_Operator_CountsEachTenantsStatusAtEveryPoint()
    {
        var trend = await _host.Drift.GetTrendAsync(await _host.ScopeAsync(_host.Operator.Principal), s_window, points: 7);

        trend.Select(p => p.At).ShouldBe(Enumerable.Range(0, 7).Select(h => _host.Now.AddHours(h - 6)));
        trend.Select(p => (p.Healthy, p.Drifted, p.Pending, p.Failing)).ShouldBe(
        [
            (1, 1, 0, 0), // 6 h ago: Alpha healthy, Charlie drifted, Bravo not checked yet
            (1, 1, 0, 1), // 5 h ago: Bravo failing
            (2, 1, 0, 0), // 4 h ago: Bravo healthy
            (1, 2, 0, 0), // 3 h ago: Alpha drifted
            (1, 2, 1, 0), // 2 h ago: Delta pending
            (1, 2, 1, 0),
            (1, 2, 1, 0),
        ]);
    }

    [Fact]
    public async Task GetTrendAsync_Viewer_CountsOnlyTheirTenants()
    {
        var viewer = await _host.Host.CreateUserAsync(Roles.Viewer, _a.Id, _b.Id);

        var trend = await _host.Drift.GetTrendAsync(await _host.ScopeAsync(viewer.Principal), s_window, points: 7);

        trend.Select(p => p.Drifted).ShouldBe([0, 0, 0, 1, 1, 1, 1]);
        trend.Select(p => p.Failing).ShouldBe([0, 1, 0, 0, 0, 0, 0]);
    }

    [Fact]
    public async Task Render_Chart_SaysWhereThingsStandNow()
    {
        await using var ctx = _host.CreateContext();

        var cut = ctx.Render<HealthTrendChart>(p => p.Add(c => c.Scope, _host.ScopeAsync(_host.Operator.Principal)));

        cut.WaitForAssertion(() => cut.Find("[data-testid=trend-summary]").TextContent.ShouldBe("Now: 2 drifted, 1 pending, 0 failing."));
        cut.FindAll("[data-testid=trend-empty]").ShouldBeEmpty();
    }
}
