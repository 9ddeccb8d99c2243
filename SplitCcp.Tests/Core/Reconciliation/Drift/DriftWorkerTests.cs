using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using static SplitCcp.Tests.Core.Reconciliation.Drift.DriftWaits;

namespace SplitCcp.Tests.Core.Reconciliation.Drift;

/// <summary>The worker on a fake clock: when passes run, that they never overlap, what the history keeps, and "check now".</summary>
public sealed class DriftWorkerTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_first_pass_runs_at_start_and_the_next_one_an_interval_later_never_sooner()
    {
        await using var host = await StartAsync();
        var worker = Worker(host);
        var first = await WaitForPassAsync(worker, _ => true);
        first.Tenants.ShouldBe(0);
        var tenant = await CreateDemoAsync(host);

        host.Time.Advance(s_interval - TimeSpan.FromSeconds(1));
        await Task.Delay(300);
        worker.LastPass!.Id.ShouldBe(first.Id);
        (await HealthAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Unknown);

        host.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await WaitForPassAsync(worker, p => p.Id != first.Id);

        second.Trigger.ShouldBe("schedule");
        second.Tenants.ShouldBe(1);
        second.Checked.ShouldBe(1);
        var report = await HealthAsync(host, tenant.Id);
        report.Status.ShouldBe(TenantHealthStatus.Pending);
        report.CheckedAt.ShouldBe(host.Time.GetUtcNow().UtcDateTime);
    }

    [Fact]
    public async Task Check_all_while_a_pass_runs_joins_it_instead_of_starting_another()
    {
        await using var host = await StartAsync(new() { ["SplitCcp:Sandbox:Latency"] = "00:00:01" });
        var worker = Worker(host);
        await WaitForPassAsync(worker, _ => true);
        var tenants = new[] { await CreateDemoAsync(host), await CreateDemoAsync(host), await CreateDemoAsync(host) };

        var a = worker.CheckAllAsync();
        var b = worker.CheckAllAsync();
        await WaitUntilAsync(() => worker.CurrentPass is { Tenants: 3 });
        a.IsCompleted.ShouldBeFalse("every AWS call waits a second of the fake clock");
        var c = worker.CheckAllAsync();
        await AdvanceUntilAsync(host, Task.WhenAll(a, b, c));

        (await b).Id.ShouldBe((await a).Id);
        (await c).Id.ShouldBe((await a).Id);
        foreach (var tenant in tenants)
        {
            var history = await Drift(host).GetHistoryAsync(await host.Core.TenantAsync(host.Operator, tenant.Id));
            history.ShouldNotBeNull().ShouldHaveSingleItem().Checks.ShouldBe(1, "one pass checks each tenant once");
        }
    }

    [Fact]
    public async Task A_second_check_of_a_tenant_while_one_runs_joins_it()
    {
        await using var host = await StartAsync(new() { ["SplitCcp:Sandbox:Latency"] = "00:00:01" });
        await WaitForPassAsync(Worker(host), _ => true);
        var tenant = await CreateDemoAsync(host);
        var checker = host.Services.GetRequiredService<DriftChecker>();

        var first = checker.CheckAsync(tenant.Id, CancellationToken.None);
        var second = Drift(host).CheckNowAsync(await host.Core.TenantAsync(host.Operator, tenant.Id));
        await AdvanceUntilAsync(host, Task.WhenAll(first, second));

        (await Drift(host).GetHistoryAsync(await host.Core.TenantAsync(host.Operator, tenant.Id))).ShouldNotBeNull().ShouldHaveSingleItem().Checks.ShouldBe(1);
        (await second).ShouldBeOfType<CheckResult.Checked>().Report.Status.ShouldBe(TenantHealthStatus.Pending);
    }

    [Fact]
    public async Task A_caller_who_gives_up_on_a_shared_check_stops_waiting_but_not_the_check_nor_the_pass()
    {
        await using var host = await StartAsync(new() { ["SplitCcp:Sandbox:Latency"] = "00:00:01" });
        var worker = Worker(host);
        await WaitForPassAsync(worker, _ => true);
        var tenants = new[] { await CreateDemoAsync(host), await CreateDemoAsync(host), await CreateDemoAsync(host) };

        // Someone checks the first tenant now, then leaves the page while the pass joins that check.
        using var leaves = new CancellationTokenSource();
        var checkNow = host.Services.GetRequiredService<DriftChecker>().CheckAsync(tenants[0].Id, leaves.Token);
        var pass = worker.CheckAllAsync();
        await WaitUntilAsync(() => worker.CurrentPass is { Tenants: 3 });
        await leaves.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(checkNow);
        await AdvanceUntilAsync(host, pass);

        (await pass).Checked.ShouldBe(3);
        foreach (var tenant in tenants)
        {
            (await HealthAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Pending, "the check the caller left finished for the pass");
        }
    }

    [Fact]
    public async Task Auto_remediation_switched_on_while_the_first_check_stores_its_row_is_kept_not_refused()
    {
        await using var host = await StartAsync(new() { ["SplitCcp:Drift:Enabled"] = "false" });
        var tenant = await CreateDemoAsync(host);
        var gate = SplitCcp.Core.Persistence.SqliteWriteGate.For(host.Core.ConnectionString);

        // The switch reads "no row yet" and queues for the write gate with a new row ...
        await gate.WaitAsync();
        var set = Drift(host).SetAutoRemediateAsync(await host.Core.TenantAsync(host.Operator, tenant.Id), true);
        await Task.Delay(200);
        set.IsCompleted.ShouldBeFalse("it waits for the write gate with its new row");

        // ... while the tenant's first check stores that row (written straight to the file, past the gate).
        await InsertTenantDriftRowAsync(host, tenant.Id, TenantHealthStatus.Drifted);

        gate.Release();

        (await set).ShouldBe(TenantAccessResult.Allowed);
        var report = await HealthAsync(host, tenant.Id);
        report.AutoRemediate.ShouldBeTrue();
        report.Status.ShouldBe(TenantHealthStatus.Drifted, "the check's row was kept, with the switch on it");
    }

    [Fact]
    public async Task A_first_check_whose_row_appears_while_it_stores_stores_on_top_of_it()
    {
        await using var host = await StartAsync(new() { ["SplitCcp:Drift:Enabled"] = "false" });
        var tenant = await CreateDemoAsync(host);
        var gate = SplitCcp.Core.Persistence.SqliteWriteGate.For(host.Core.ConnectionString);

        // The check reads "no row yet" and queues for the write gate with its first row, while auto-remediation is switched
        // on and writes that row (straight to the file, past the gate).
        await gate.WaitAsync();
        var check = host.Services.GetRequiredService<DriftChecker>().CheckAsync(tenant.Id, CancellationToken.None);
        await Task.Delay(500);
        check.IsCompleted.ShouldBeFalse("it waits for the write gate with its new row");
        await InsertTenantDriftRowAsync(host, tenant.Id, TenantHealthStatus.Unknown);
        gate.Release();

        (await check).ShouldNotBeNull().Status.ShouldBe(TenantHealthStatus.Pending);
        (await HealthAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Pending);
    }

    [Fact]
    public async Task A_tenant_deleted_while_it_is_checked_gets_no_report_and_the_check_says_so()
    {
        await using var host = await StartAsync(new() { ["SplitCcp:Sandbox:Latency"] = "00:00:01" });
        await WaitForPassAsync(Worker(host), _ => true);
        var tenant = await CreateDemoAsync(host);
        var check = host.Services.GetRequiredService<DriftChecker>().CheckAsync(tenant.Id, CancellationToken.None);
        await Task.Delay(100);
        check.IsCompleted.ShouldBeFalse("every AWS call waits a second of the fake clock");

        (await host.Core.Tenants.DeleteAsync(await host.Core.TenantAsync(host.Operator, tenant.Id))).ShouldBeTrue();
        await AdvanceUntilAsync(host, check);

        (await check).ShouldBeNull();
        await using var db = await Db(host).CreateDbContextAsync();
        (await db.TenantDrift.CountAsync()).ShouldBe(0);
        (await db.DriftReports.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task History_older_than_the_retention_is_removed_but_every_tenants_latest_result_stays()
    {
        await using var host = await StartAsync(new() { ["SplitCcp:Drift:HistoryRetention"] = "01:00:00" });
        await WaitForPassAsync(Worker(host), _ => true);
        var tenant = await CreateDemoAsync(host);
        var now = host.Time.GetUtcNow().UtcDateTime;
        var old = Report(tenant.Id, now.AddHours(-5), now.AddHours(-3));
        var recent = Report(tenant.Id, now.AddHours(-3), now.AddMinutes(-30));
        var quiet = await CreateDemoAsync(host);
        var latestButOld = Report(quiet.Id, now.AddDays(-3), now.AddDays(-2));
        await using (var db = await Db(host).CreateDbContextAsync())
        {
            db.DriftReports.AddRange(old, recent, latestButOld);
            db.TenantDrift.Add(new TenantDrift { TenantId = quiet.Id, Status = TenantHealthStatus.Healthy, CheckedAt = latestButOld.LastCheckedAt, LatestReportId = latestButOld.Id });
            await db.SaveChangesAsync();
        }

        var removed = await Worker(host).ForgetOldHistoryAsync(TimeSpan.FromHours(1), CancellationToken.None);

        removed.ShouldBe(1);
        await using (var db = await Db(host).CreateDbContextAsync())
        {
            (await db.DriftReports.Select(r => r.Id).ToListAsync()).ShouldBe([recent.Id, latestButOld.Id], ignoreOrder: true);
        }
    }

    [Fact]
    public async Task A_pass_applies_the_retention_after_checking()
    {
        await using var host = await StartAsync(new() { ["SplitCcp:Drift:HistoryRetention"] = "01:00:00" });
        await WaitForPassAsync(Worker(host), _ => true);
        var tenant = await CreateDemoAsync(host);
        var now = host.Time.GetUtcNow().UtcDateTime;
        var old = Report(tenant.Id, now.AddHours(-5), now.AddHours(-3));
        await using (var db = await Db(host).CreateDbContextAsync())
        {
            db.DriftReports.Add(old);
            await db.SaveChangesAsync();
        }

        await Worker(host).CheckAllAsync();

        var history = (await Drift(host).GetHistoryAsync(await host.Core.TenantAsync(host.Operator, tenant.Id))).ShouldNotBeNull();
        history.ShouldHaveSingleItem().Id.ShouldNotBe(old.Id);
    }

    [Fact]
    public async Task Check_now_returns_the_new_report_and_is_refused_outside_write_scope()
    {
        await using var host = await StartAsync();
        await WaitForPassAsync(Worker(host), _ => true);
        var tenant = await CreateDemoAsync(host);
        var other = await host.Core.CreateTenantAsync(host.Operator, "other");
        var viewer = await host.Core.CreateUserAsync(Roles.Viewer, tenant.Id);
        var admin = await host.Core.CreateUserAsync(Roles.TenantAdmin, other.Id);
        var owner = await host.Core.CreateUserAsync(Roles.TenantAdmin, tenant.Id);

        (await Drift(host).CheckNowAsync(await host.Core.TenantAsync(viewer.Principal, tenant.Id))).ShouldBeOfType<CheckResult.Forbidden>();
        (await Drift(host).CheckNowAsync(await host.Core.TenantAsync(owner.ReadOnlyPrincipal, tenant.Id))).ShouldBeOfType<CheckResult.Forbidden>();
        (await host.Core.Access.CheckAsync(admin.Principal, tenant.Id, TenantOperation.Write)).ShouldBe(TenantAccessCheck.NotFound);
        (await HealthAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Unknown, "none of those checked anything");

        var report = (await Drift(host).CheckNowAsync(await host.Core.TenantAsync(owner.Principal, tenant.Id))).ShouldBeOfType<CheckResult.Checked>().Report;

        report.Status.ShouldBe(TenantHealthStatus.Pending);
        report.CheckedAt.ShouldBe(host.Time.GetUtcNow().UtcDateTime);
        (await Drift(host).GetHealthAsync(await host.Core.TenantAsync(viewer.Principal, tenant.Id))).ShouldNotBeNull().Status.ShouldBe(TenantHealthStatus.Pending);
    }

    [Fact]
    public async Task Check_all_by_a_tenant_admin_checks_their_tenants_only()
    {
        await using var host = await StartAsync();
        await WaitForPassAsync(Worker(host), _ => true);
        var mine = await CreateDemoAsync(host);
        var theirs = await CreateDemoAsync(host);
        var admin = await host.Core.CreateUserAsync(Roles.TenantAdmin, mine.Id);

        var result = await Drift(host).CheckAllAsync(await host.Core.ScopeAsync(admin.Principal));

        result.ShouldNotBeNull().Checked.ShouldBe(1);
        result.Counts.ShouldBe(new HealthCounts(1, 0, 0, 1, 0, 0), "a demo never applied is a setup to finish");
        (await HealthAsync(host, mine.Id)).Status.ShouldBe(TenantHealthStatus.Pending);
        (await HealthAsync(host, theirs.Id)).Status.ShouldBe(TenantHealthStatus.Unknown);
        (await Drift(host).CheckAllAsync(await host.Core.ScopeAsync(admin.ReadOnlyPrincipal))).ShouldBeNull();
    }

    [Fact]
    public async Task Readiness_reports_a_worker_whose_last_pass_is_older_than_three_intervals()
    {
        // Every Sandbox call waits two hours of the fake clock: the second pass never finishes while the clock moves 16 minutes.
        await using var host = await StartAsync(new()
        {
            ["SplitCcp:Sandbox:Latency"] = "02:00:00",
            ["SplitCcp:Drift:TenantTimeout"] = "01:00:00",
        });
        var worker = Worker(host);
        await WaitForPassAsync(worker, _ => true);
        await CreateDemoAsync(host);
        worker.Staleness().ShouldBeNull();

        host.Time.Advance(s_interval);
        await WaitUntilAsync(() => worker.CurrentPass is { Tenants: 1 });
        host.Time.Advance(TimeSpan.FromMinutes(9));
        worker.Staleness().ShouldBeNull("14 minutes is within three intervals");
        host.Time.Advance(TimeSpan.FromMinutes(2));

        worker.Staleness().ShouldNotBeNull().ShouldContain("last pass finished 16 minutes ago");
    }

    [Fact]
    public async Task A_switched_off_worker_runs_no_pass_and_is_never_stale()
    {
        await using var host = await StartAsync(new() { ["SplitCcp:Drift:Enabled"] = "false" });
        var worker = Worker(host);
        await CreateDemoAsync(host);

        host.Time.Advance(s_interval * 10);
        await Task.Delay(200);

        worker.LastPass.ShouldBeNull();
        worker.Staleness().ShouldBeNull();
    }

    private static DriftReport Report(Guid tenantId, DateTime first, DateTime last) => new()
    {
        Id = Guid.CreateVersion7(), TenantId = tenantId, Status = TenantHealthStatus.Drifted, FirstCheckedAt = first, LastCheckedAt = last, Checks = 3,
        Fingerprint = Guid.NewGuid().ToString("N"),
    };

    private static async Task<TestHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["SplitCcp:Drift:Enabled"] = "true",
            ["SplitCcp:Drift:Interval"] = "00:05:00",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var core = await CoreTestHost.StartAsync(all);
        return new TestHost(core, (await core.CreateOperatorAsync()).Principal);
    }

    /// <summary>A tenant's latest-result row, written straight to the file: past EF and the write gate a test may hold.</summary>
    private static async Task InsertTenantDriftRowAsync(TestHost host, Guid tenantId, TenantHealthStatus status) =>
        await host.Core.QueryScalarAsync(
            "INSERT INTO TenantDrift (TenantId, Status, DriftedCount, ErrorCount, AutoRemediate) VALUES ($id, $status, 0, 0, 0)",
            ("$id", tenantId.ToString().ToUpperInvariant()), ("$status", status.ToString()));

    private static Task<TenantView> CreateDemoAsync(TestHost host) =>
        host.Services.GetRequiredService<DemoTenants>().CreateAsync(host.Operator);

    private static DriftWorker Worker(TestHost host) => host.Services.GetRequiredService<DriftWorker>();

    private static DriftService Drift(TestHost host) => host.Services.GetRequiredService<DriftService>();

    private static IDbContextFactory<SplitCcpDbContext> Db(TestHost host) => host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>();

    private static async Task<TenantHealthReport> HealthAsync(TestHost host, Guid tenantId) =>
        (await Drift(host).GetHealthAsync(await host.Core.TenantAsync(host.Operator, tenantId))).ShouldNotBeNull();

    private static Task AdvanceUntilAsync(TestHost host, Task task) => DriftWaits.AdvanceUntilAsync(task, host.Time);

    private sealed record TestHost(CoreTestHost Core, System.Security.Claims.ClaimsPrincipal Operator) : IAsyncDisposable
    {
        public IServiceProvider Services => Core.Services;

        public Microsoft.Extensions.Time.Testing.FakeTimeProvider Time => Core.Time;

        public ValueTask DisposeAsync() => Core.DisposeAsync();
    }
}
