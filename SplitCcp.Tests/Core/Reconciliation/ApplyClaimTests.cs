using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Reconciliation;

/// <summary>
/// A portal process claims an apply (owner and lease in the database) before it runs it, and never takes one that another
/// live process holds: only one whose lease lapsed, or whose owner was a portal on this machine that no longer runs.
/// </summary>
[Collection(RealTimeTests.Name)]
public class ApplyClaimTests
{
    public ApplyClaimTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the facts run on.</param>
    protected ApplyClaimTests(StorageProvider provider)
    {
        Provider = provider;
    }

    /// <summary>The database engine the facts run on.</summary>
    protected StorageProvider Provider { get; }

    private Task<ReconciliationTestHost> StartAsync() => ReconciliationTestHost.StartAsync(extraSettings: new Dictionary<string, string?>
    {
        ["SplitCcp:Reconciliation:ApplyLease"] = "00:00:02",
    }, provider: Provider);

    [Fact]
    public async Task An_apply_another_live_portal_holds_is_left_to_it_and_taken_over_once_its_lease_lapses()
    {
        await using var host = await StartAsync();
        var tenant = await host.CreateDemoAsync();
        var other = "other-machine:4242:0123456789abcdef0123456789abcdef";
        var applyId = await InsertRunningApplyAsync(host, tenant, other, leaseUntil: DateTime.UtcNow.AddHours(1));

        await host.Host.RestartAsync();
        await Task.Delay(TimeSpan.FromSeconds(3)); // several sweeps (every 0.5 s), and the start-up one

        var held = await ReadAsync(host, applyId);
        held.State.ShouldBe(ApplyState.Running);
        held.Attempts.ShouldBe(1, "the other portal is running it; this one must not");
        held.ClaimedBy.ShouldBe(other);

        await UpdateAsync(host, applyId, a => a.LeaseUntil = DateTime.UtcNow.AddSeconds(-1));
        var finished = await host.WaitAsync(tenant.Id, applyId, TimeSpan.FromSeconds(60));

        finished.State.ShouldBe(ApplyState.Succeeded, finished.Error);
        finished.Attempts.ShouldBe(2);
        var taken = await ReadAsync(host, applyId);
        taken.ClaimedBy.ShouldBe(host.Services.GetRequiredService<ApplyClaims>().Owner);
    }

    [Fact]
    public async Task An_apply_a_portal_on_this_machine_held_before_it_stopped_is_taken_over_without_waiting_for_its_lease()
    {
        await using var host = await StartAsync();
        var tenant = await host.CreateDemoAsync();
        var gone = $"{Environment.MachineName}:{Environment.ProcessId}:0123456789abcdef0123456789abcdef";
        var applyId = await InsertRunningApplyAsync(host, tenant, gone, leaseUntil: DateTime.UtcNow.AddHours(1));

        var finished = await host.WaitAsync(tenant.Id, applyId, TimeSpan.FromSeconds(60));

        finished.State.ShouldBe(ApplyState.Succeeded, finished.Error);
        (await ReadAsync(host, applyId)).ClaimedBy.ShouldBe(host.Services.GetRequiredService<ApplyClaims>().Owner);
    }

    [Fact]
    public async Task A_running_apply_is_claimed_by_this_process_and_its_lease_renewed_while_it_runs()
    {
        await using var host = await ReconciliationTestHost.StartAsync(extraSettings: new Dictionary<string, string?>
        {
            ["SplitCcp:Reconciliation:ApplyLease"] = "00:00:02",
            ["SplitCcp:Sandbox:InstanceCreation"] = "00:00:05",
        }, provider: Provider);
        var tenant = await host.CreateDemoAsync();

        var apply = await host.StartApplyAsync(tenant.Id);
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var running = await ReadAsync(host, apply.Id);

        running.State.ShouldBe(ApplyState.Running, "the instance takes 5 s to create");
        running.ClaimedBy.ShouldBe(host.Services.GetRequiredService<ApplyClaims>().Owner);
        running.LeaseUntil.ShouldNotBeNull().ShouldBeGreaterThan(DateTime.UtcNow, "renewed every 0.5 s, it has not lapsed after 3.5 s of a 2 s lease");
        (await host.WaitAsync(tenant.Id, apply.Id)).State.ShouldBe(ApplyState.Succeeded);
    }

    /// <summary>An apply as another portal process would have left it: claimed, started once, Running.</summary>
    private static async Task<Guid> InsertRunningApplyAsync(ReconciliationTestHost host, TenantView tenant, string owner, DateTime leaseUntil)
    {
        var (_, record) = (await host.Services.GetRequiredService<TenantSpecService>().GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value;
        var run = new ApplyRun
        {
            Id = Guid.NewGuid(),
            TenantId = tenant.Id,
            State = ApplyState.Running,
            RequestedBy = host.Operator.Id,
            SpecVersion = record.Version,
            CreatedAt = DateTime.UtcNow,
            StartedAt = DateTime.UtcNow,
            Attempts = 1,
            ClaimedBy = owner,
            LeaseUntil = leaseUntil,
        };
        await using var db = await Db(host).CreateDbContextAsync();
        db.Applies.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }

    private static async Task<ApplyRun> ReadAsync(ReconciliationTestHost host, Guid applyId)
    {
        await using var db = await Db(host).CreateDbContextAsync();
        return await db.Applies.AsNoTracking().SingleAsync(a => a.Id == applyId);
    }

    private static async Task UpdateAsync(ReconciliationTestHost host, Guid applyId, Action<ApplyRun> change)
    {
        await using var db = await Db(host).CreateDbContextAsync();
        change(await db.Applies.SingleAsync(a => a.Id == applyId));
        await db.SaveChangesAsync();
    }

    private static IDbContextFactory<SplitCcpDbContext> Db(ReconciliationTestHost host) => host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>();
}

/// <summary>The same facts on PostgreSQL.</summary>
[Collection(RealTimeTests.Name)]
public sealed class PostgreSqlApplyClaimTests() : ApplyClaimTests(StorageProvider.PostgreSql);
