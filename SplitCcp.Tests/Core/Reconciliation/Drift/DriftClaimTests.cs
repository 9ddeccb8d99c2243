using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Sandbox;
using static SplitCcp.Tests.Core.Reconciliation.Drift.DriftWaits;

namespace SplitCcp.Tests.Core.Reconciliation.Drift;

/// <summary>
/// A drift pass claims each tenant before it checks it (owner and lease in the database), releases the claim once the
/// check is stored, and leaves a tenant another replica holds to it until that claim lapses.
/// </summary>
public class DriftClaimTests
{
    public DriftClaimTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the facts run on.</param>
    protected DriftClaimTests(StorageProvider provider)
    {
        Provider = provider;
    }

    /// <summary>The database engine the facts run on.</summary>
    protected StorageProvider Provider { get; }

    [Fact]
    public async Task A_pass_holds_a_lease_on_each_tenant_it_checks_and_releases_it_once_the_check_is_stored()
    {
        await using var host = await DriftHost.StartAsync(Provider, new() { ["SplitCcp:Sandbox:Latency"] = "00:00:01" });
        var tenant = await host.CreateDemoAsync();
        var asked = host.RecordChecks();
        var claimedAt = host.Core.Time.GetUtcNow().UtcDateTime;

        var pass = host.Worker.CheckAllAsync();
        await WaitUntilAsync(() => asked.Contains(tenant.Id));
        var held = await host.ClaimAsync(tenant.Id);
        await AdvanceUntilAsync(pass, host.Core.Time);
        var released = await host.ClaimAsync(tenant.Id);

        held.ClaimedBy.ShouldBe(host.Services.GetRequiredService<ApplyClaims>().Owner);
        held.PassId.ShouldBe((await pass).Id);
        held.ClaimedAt.ShouldBe(claimedAt);
        held.LeaseUntil.ShouldBe(claimedAt + TimeSpan.FromMinutes(4), "twice the tenant's time limit, longer than its check may take");
        released.LeaseUntil.ShouldBeNull();
        released.PassId.ShouldBe((await pass).Id);
        (await pass).Checked.ShouldBe(1);
    }

    [Fact]
    public async Task A_tenant_another_replica_holds_is_left_to_it_until_its_claim_lapses()
    {
        await using var host = await DriftHost.StartAsync(Provider);
        var held = await host.Core.CreateTenantAsync(host.Operator, "held");
        var free = await host.Core.CreateTenantAsync(host.Operator, "free");
        var asked = host.RecordChecks();
        var now = host.Core.Time.GetUtcNow().UtcDateTime;
        await host.AddClaimAsync(new DriftClaim
        {
            TenantId = held.Id, ClaimedBy = "other-machine:4242:0123456789abcdef0123456789abcdef", PassId = Guid.NewGuid(), ClaimedAt = now,
            LeaseUntil = now.AddMinutes(4),
        });

        var whileHeld = await host.Worker.CheckAllAsync();
        host.Core.Time.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(1));
        var afterLapse = await host.Worker.CheckAllAsync();

        whileHeld.Tenants.ShouldBe(1);
        whileHeld.Checked.ShouldBe(1);
        afterLapse.Checked.ShouldBe(2);
        asked.Count(id => id == free.Id).ShouldBe(2);
        asked.Count(id => id == held.Id).ShouldBe(1, "checked here only once the other replica's lease lapsed");
    }
}

public sealed class PostgreSqlDriftClaimTests() : DriftClaimTests(StorageProvider.PostgreSql);

/// <summary>Portal replicas on one PostgreSQL database share their drift passes: together they check each tenant once.</summary>
public sealed class PostgreSqlDriftReplicaTests
{
    [Fact]
    public async Task Two_replicas_passing_at_once_split_the_tenants_and_check_each_once()
    {
        // Four checks at a time per replica, each AWS call a second of the fake clocks: neither can take every tenant at once.
        await using var first = await DriftHost.StartAsync(StorageProvider.PostgreSql, new()
        {
            ["SplitCcp:Drift:MaxConcurrency"] = "4",
            ["SplitCcp:Sandbox:Latency"] = "00:00:01",
        });
        await using var second = await first.StartReplicaAsync();
        var demos = first.Services.GetRequiredService<DemoTenants>();
        for (var i = 0; i < 40; i++)
        {
            await demos.CreateAsync(first.Operator);
        }

        var askedFirst = first.RecordChecks();
        var askedSecond = second.RecordChecks();
        var (before1, before2) = (first.Worker.LastPass!.Id, second.Worker.LastPass!.Id);

        first.Core.Time.Advance(DriftHost.Interval);
        second.Core.Time.Advance(DriftHost.Interval);
        var passes = Task.WhenAll(WaitForPassAsync(first.Worker, p => p.Id != before1), WaitForPassAsync(second.Worker, p => p.Id != before2));
        await AdvanceUntilAsync(passes, first.Core.Time, second.Core.Time);
        var (pass1, pass2) = ((await passes)[0], (await passes)[1]);

        askedFirst.Concat(askedSecond).GroupBy(id => id).Select(g => g.Count()).ShouldAllBe(n => n == 1);
        askedFirst.Concat(askedSecond).Distinct().Count().ShouldBe(40);
        pass1.Checked.ShouldBe(askedFirst.Count);
        pass2.Checked.ShouldBe(askedSecond.Count);
        pass1.Checked.ShouldBeGreaterThan(0);
        pass2.Checked.ShouldBeGreaterThan(0);
        (await first.Core.QueryScalarAsync("SELECT SUM(\"Checks\") FROM \"DriftReports\"")).ShouldBe(40L);
    }

    [Fact]
    public async Task A_scheduled_pass_leaves_tenants_checked_within_half_an_interval_to_the_replica_that_did_but_check_all_takes_them()
    {
        await using var first = await DriftHost.StartAsync(StorageProvider.PostgreSql);
        await using var second = await first.StartReplicaAsync();
        for (var i = 0; i < 3; i++)
        {
            await first.Core.CreateTenantAsync(first.Operator, $"tenant-{i}");
        }

        var (before1, before2) = (first.Worker.LastPass!.Id, second.Worker.LastPass!.Id);
        first.Core.Time.Advance(DriftHost.Interval);
        var byFirst = await WaitForPassAsync(first.Worker, p => p.Id != before1);
        second.Core.Time.Advance(DriftHost.Interval);
        var bySecond = await WaitForPassAsync(second.Worker, p => p.Id != before2);
        var checkAll = await second.Worker.CheckAllAsync();

        byFirst.Checked.ShouldBe(3);
        bySecond.Tenants.ShouldBe(0, "the first replica checked every tenant moments ago");
        bySecond.Checked.ShouldBe(0);
        checkAll.Checked.ShouldBe(3, "none was checked since the check started");
    }

    [Fact]
    public async Task Replicas_asked_to_check_all_since_one_moment_leave_a_tenant_checked_after_it_to_the_replica_that_did()
    {
        await using var first = await DriftHost.StartAsync(StorageProvider.PostgreSql);
        await using var second = await first.StartReplicaAsync();
        for (var i = 0; i < 3; i++)
        {
            await first.Core.CreateTenantAsync(first.Operator, $"tenant-{i}");
        }

        var since = first.Core.Time.GetUtcNow().UtcDateTime;
        first.Core.Time.Advance(TimeSpan.FromSeconds(1));
        var byFirst = await first.Worker.CheckAllAsync(since);
        second.Core.Time.Advance(TimeSpan.FromSeconds(2));
        var bySecondSinceThen = await second.Worker.CheckAllAsync(since);
        var bySecondOwnStart = await second.Worker.CheckAllAsync();

        byFirst.Checked.ShouldBe(3);
        bySecondSinceThen.Checked.ShouldBe(0, "the first replica checked every tenant after the moment both were given");
        bySecondOwnStart.Checked.ShouldBe(3, "a check all of its own takes every tenant not checked since it started");
    }
}

/// <summary>A portal with scheduled drift passes every <see cref="Interval"/> on a fake clock, its first pass done.</summary>
internal sealed class DriftHost(CoreTestHost core, ClaimsPrincipal @operator) : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    public CoreTestHost Core { get; } = core;

    public ClaimsPrincipal Operator { get; } = @operator;

    public IServiceProvider Services => Core.Services;

    public DriftWorker Worker => Services.GetRequiredService<DriftWorker>();

    public static async Task<DriftHost> StartAsync(StorageProvider provider, Dictionary<string, string?>? settings = null)
    {
        var core = await CoreTestHost.StartAsync(Settings(settings), provider: provider);
        var host = new DriftHost(core, (await core.CreateOperatorAsync()).Principal);
        await WaitForPassAsync(host.Worker, _ => true);
        return host;
    }

    /// <summary>Another replica on this host's PostgreSQL database, configured alike, its first pass done.</summary>
    public async Task<DriftHost> StartReplicaAsync()
    {
        var replica = new DriftHost(await Core.StartReplicaAsync(), Operator);
        await WaitForPassAsync(replica.Worker, _ => true);
        return replica;
    }

    public Task<SplitCcp.Core.Tenants.TenantView> CreateDemoAsync() => Services.GetRequiredService<DemoTenants>().CreateAsync(Operator);

    /// <summary>The tenants this portal's checker is asked to check from now on, once per ask.</summary>
    public ConcurrentQueue<Guid> RecordChecks()
    {
        var asked = new ConcurrentQueue<Guid>();
        Services.GetRequiredService<DriftChecker>().OnCheckAsked = asked.Enqueue;
        return asked;
    }

    public async Task<DriftClaim> ClaimAsync(Guid tenantId)
    {
        await using var db = await Db().CreateDbContextAsync();
        return await db.DriftClaims.AsNoTracking().SingleAsync(c => c.TenantId == tenantId);
    }

    public async Task AddClaimAsync(DriftClaim claim)
    {
        await using var db = await Db().CreateDbContextAsync();
        db.DriftClaims.Add(claim);
        await db.SaveChangesAsync();
    }

    public ValueTask DisposeAsync() => Core.DisposeAsync();

    private IDbContextFactory<SplitCcpDbContext> Db() => Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>();

    private static Dictionary<string, string?> Settings(Dictionary<string, string?>? extra)
    {
        var all = new Dictionary<string, string?>
        {
            ["SplitCcp:Drift:Enabled"] = "true",
            ["SplitCcp:Drift:Interval"] = "00:05:00",
        };
        foreach (var (key, value) in extra ?? [])
        {
            all[key] = value;
        }

        return all;
    }
}
