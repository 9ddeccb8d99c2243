using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Infrastructure;

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

    private protected Task<ReconciliationTestHost> StartAsync() => ReconciliationTestHost.StartAsync(extraSettings: new Dictionary<string, string?>
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
        var gone = $"{host.Services.GetRequiredService<ApplyClaims>().Machine}:{Environment.ProcessId}:0123456789abcdef0123456789abcdef";
        var applyId = await InsertRunningApplyAsync(host, tenant, gone, leaseUntil: DateTime.UtcNow.AddHours(1));

        var finished = await host.WaitAsync(tenant.Id, applyId, TimeSpan.FromSeconds(60));

        finished.State.ShouldBe(ApplyState.Succeeded, finished.Error);
        (await ReadAsync(host, applyId)).ClaimedBy.ShouldBe(host.Services.GetRequiredService<ApplyClaims>().Owner);
    }

    [Fact]
    public async Task An_apply_held_under_this_host_name_and_process_ID_from_another_container_is_left_to_it_on_PostgreSQL_and_taken_at_once_on_SQLite()
    {
        await using var host = await StartAsync();
        var tenant = await host.CreateDemoAsync();
        var machine = host.Services.GetRequiredService<ApplyClaims>().Machine;
        machine.ShouldStartWith(Environment.MachineName);
        // Another process-ID namespace on the same host name: a second container with host networking, or this one restarted.
        var otherContainer = $"{Environment.MachineName}/{Guid.NewGuid()}/4026532000:{Environment.ProcessId}:0123456789abcdef0123456789abcdef";
        var applyId = await InsertRunningApplyAsync(host, tenant, otherContainer, leaseUntil: DateTime.UtcNow.AddHours(1));

        if (Provider == StorageProvider.PostgreSql)
        {
            await Task.Delay(TimeSpan.FromSeconds(2)); // several sweeps (every 0.5 s)
            var held = await ReadAsync(host, applyId);
            (held.ClaimedBy, held.Attempts).ShouldBe((otherContainer, 1), "a replica beside this one may be PID 1 of its own container, alive");
        }
        else
        {
            // No other portal process uses a SQLite database (the data folder lock): it was this portal before a restart.
            (await host.WaitAsync(tenant.Id, applyId)).State.ShouldBe(ApplyState.Succeeded);
        }
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

    [Fact]
    public async Task A_portal_holding_no_apply_renews_without_writing_and_one_holding_an_apply_extends_its_lease()
    {
        await using var host = await StartAsync();
        var tenant = await host.CreateDemoAsync();
        var other = OtherPortal(host);

        var idle = await DbCommandRecorder.RecordAsync(() => other.RenewAsync(CancellationToken.None));

        idle.ShouldNotBeEmpty("it looks for applies it holds");
        idle.ShouldNotContain(c => DbCommandRecorder.IsWrite(c), "every replica renews at every sweep, and an idle one holds nothing to renew");

        var lapsing = DateTime.UtcNow.AddSeconds(1);
        var applyId = await InsertRunningApplyAsync(host, tenant, other.Owner, lapsing);
        var holding = await DbCommandRecorder.RecordAsync(() => other.RenewAsync(CancellationToken.None));

        holding.ShouldContain(c => DbCommandRecorder.IsWrite(c));
        (await ReadAsync(host, applyId)).LeaseUntil.ShouldNotBeNull().ShouldBeGreaterThan(lapsing.AddSeconds(0.5), "renewed for another 2 s lease");
    }

    [Fact]
    public async Task A_portal_that_stalls_past_its_lease_while_another_takes_the_apply_over_makes_no_further_change_and_leaves_the_apply_to_it()
    {
        await using var host = await StartAsync();
        // Nothing renews this process's claims any more, as in a process that stalls (a long GC pause, a stopped VM).
        await host.Services.GetRequiredService<ApplyRunner>().StopAsync(CancellationToken.None);
        var tenant = await host.CreateDemoAsync();
        var apply = await host.StartApplyAsync(tenant.Id);
        var other = OtherPortal(host);
        var faults = host.Services.GetRequiredService<SandboxFaults>();
        (long Changes, IReadOnlyDictionary<string, int> Objects, int Journal)? atTakeover = null;
        host.Engine.OnCheckpoint = async (checkpoint, key, ct) =>
        {
            if (checkpoint == ApplyCheckpoint.StepFinished && key == ResourceKeys.ConnectInstance)
            {
                await Task.Delay(TimeSpan.FromSeconds(3), ct); // past the 2 s lease its last journal row renewed
                (await other.TryClaimAsync(apply.Id, ct)).ShouldBeTrue("the lease lapsed, so another portal may take the apply");
                atTakeover = (ChangesAskedOf(faults), await host.CountObjectsAsync(tenant.Id), await JournalCountAsync(host, apply.Id));
            }
        };

        await host.Engine.RunAsync(apply.Id, CancellationToken.None);

        var (changes, objects, journal) = atTakeover.ShouldNotBeNull("the run reached the Connect instance's end");
        ChangesAskedOf(faults).ShouldBe(changes, "once its claim was lost the stalled portal asked AWS for no change");
        (await host.CountObjectsAsync(tenant.Id)).ShouldBe(objects);
        (await JournalCountAsync(host, apply.Id)).ShouldBe(journal, "nor wrote the journal of an apply it no longer holds");
        var left = await ReadAsync(host, apply.Id);
        (left.State, left.ClaimedBy, left.Error, left.FinishedAt).ShouldBe((ApplyState.Running, other.Owner, null, null), "the apply is the new owner's to finish");
        await other.RenewAsync(CancellationToken.None); // as the new owner's runner does
        (await host.Services.GetRequiredService<ApplyClaims>().ClaimAvailableAsync(CancellationToken.None)).ShouldNotContain(apply.Id, "it is not this process's to run again");

        await ActivatorUtilities.CreateInstance<ApplyEngine>(host.Services, other).RunAsync(apply.Id, CancellationToken.None);

        var finished = await host.WaitAsync(tenant.Id, apply.Id);
        finished.State.ShouldBe(ApplyState.Succeeded, finished.Error);
        host.Engine.OnCheckpoint = null;
        var clean = await host.CreateDemoAsync();
        await host.Engine.RunAsync((await host.StartApplyAsync(clean.Id)).Id, CancellationToken.None);
        (await host.CountObjectsAsync(tenant.Id)).ShouldBe(await host.CountObjectsAsync(clean.Id), "the apply that changed hands made what an uninterrupted one makes, nothing twice");
    }

    /// <summary>Another portal process on the same database: claims of another owner, not renewed by this host's runner.</summary>
    internal static ApplyClaims OtherPortal(ReconciliationTestHost host, string machine = "other-machine") =>
        new(Db(host), host.Services.GetRequiredService<IOptions<ReconciliationOptions>>(), TimeProvider.System) { Machine = machine };

    private static readonly string[] s_reads = ["Describe", "List", "Get", "Head", "Search", "IsMemberIn"];

    /// <summary>How many calls so far asked the Sandbox for a change: every operation that does not only read.</summary>
    private static long ChangesAskedOf(SandboxFaults faults) => faults.AttemptsByOperation()
        .Where(a => !s_reads.Any(read => a.Operation.Name.StartsWith(read, StringComparison.Ordinal)))
        .Sum(a => a.Attempts);

    private static async Task<int> JournalCountAsync(ReconciliationTestHost host, Guid applyId)
    {
        await using var db = await Db(host).CreateDbContextAsync();
        return await db.ApplyJournal.CountAsync(j => j.ApplyId == applyId);
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

    internal static IDbContextFactory<SplitCcpDbContext> Db(ReconciliationTestHost host) => host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>();
}

/// <summary>The same facts on PostgreSQL, and how replicas sharing its database claim applies without waiting for each other.</summary>
[Collection(RealTimeTests.Name)]
public sealed class PostgreSqlApplyClaimTests() : ApplyClaimTests(StorageProvider.PostgreSql)
{
    [Fact]
    public async Task Two_replicas_sweeping_at_once_claim_disjoint_sets_of_the_pending_applies_that_together_cover_them_all()
    {
        await using var host = await StartAsync();
        await host.Services.GetRequiredService<ApplyRunner>().StopAsync(CancellationToken.None);
        var pending = await InsertPendingAppliesAsync(host, 60);
        var replicas = new[] { OtherPortal(host, "replica-a"), OtherPortal(host, "replica-b") };
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sweeps = replicas.Select(r => Task.Run(async () =>
        {
            await go.Task;
            return await r.ClaimAvailableAsync(CancellationToken.None);
        })).ToList();

        go.SetResult();
        var claimed = await Task.WhenAll(sweeps).WaitAsync(TimeSpan.FromSeconds(30));

        claimed[0].Intersect(claimed[1]).ShouldBeEmpty();
        claimed.SelectMany(c => c).Order().ShouldBe(pending.Order());
        await using var db = await Db(host).CreateDbContextAsync();
        var owners = await db.Applies.AsNoTracking().Where(a => pending.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.ClaimedBy);
        for (var i = 0; i < replicas.Length; i++)
        {
            claimed[i].ShouldAllBe(id => owners[id] == replicas[i].Owner);
        }
    }

    [Fact]
    public async Task A_replicas_sweep_skips_the_applies_another_is_claiming_instead_of_waiting_for_them()
    {
        await using var host = await StartAsync();
        await host.Services.GetRequiredService<ApplyRunner>().StopAsync(CancellationToken.None);
        var pending = await InsertPendingAppliesAsync(host, 10);
        var locked = pending.Take(4).ToArray();
        var replica = OtherPortal(host);

        // Another replica's claim under way: its transaction holds the rows of some of the applies.
        await using var other = new NpgsqlConnection(host.Host.ConnectionString);
        await other.OpenAsync();
        await using var claiming = await other.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("SELECT \"Id\" FROM \"Applies\" WHERE \"Id\" = ANY(@ids) FOR UPDATE", other, claiming))
        {
            command.Parameters.AddWithValue("ids", locked);
            await command.ExecuteNonQueryAsync();
        }

        var swept = await replica.ClaimAvailableAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        swept.Order().ShouldBe(pending.Except(locked).Order(), "it took the others at once and left the locked ones");
        await claiming.RollbackAsync();
        (await replica.ClaimAvailableAsync(CancellationToken.None)).ShouldBe(pending, ignoreOrder: true, "its own again, and the others once the other claim gave them up");
    }

    /// <summary>Unclaimed Pending applies, one per new tenant, as applies accepted but not yet picked up.</summary>
    private static async Task<Guid[]> InsertPendingAppliesAsync(ReconciliationTestHost host, int count)
    {
        await using var db = await Db(host).CreateDbContextAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var tenant = await host.Host.CreateTenantAsync(host.Operator.Principal, $"pending-{i}");
            var run = new ApplyRun
            {
                Id = Guid.NewGuid(), TenantId = tenant.Id, State = ApplyState.Pending, RequestedBy = host.Operator.Id, SpecVersion = 1,
                CreatedAt = DateTime.UtcNow.AddSeconds(i),
            };
            db.Applies.Add(run);
            ids.Add(run.Id);
        }

        await db.SaveChangesAsync();
        return [.. ids];
    }
}
