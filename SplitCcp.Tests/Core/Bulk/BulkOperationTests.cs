using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Bulk;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Core.Reconciliation;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Bulk;

/// <summary>Bulk plans, applies and checks across Sandbox tenants, wave by wave, on the engine each subclass names.</summary>
[Collection(RealTimeTests.Name)]
public class BulkOperationTests
{
    public BulkOperationTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the facts run on.</param>
    protected BulkOperationTests(StorageProvider provider)
    {
        Provider = provider;
    }

    /// <summary>The database engine the facts run on.</summary>
    protected StorageProvider Provider { get; }

    internal static Task<ReconciliationTestHost> StartHostAsync(StorageProvider provider) =>
        ReconciliationTestHost.StartAsync(provider: provider, extraSettings: new Dictionary<string, string?> { ["SplitCcp:Bulk:PollInterval"] = "00:00:00.050" });

    internal static async Task<BulkOperationView> StartAsync(ReconciliationTestHost host, ClaimsPrincipal user, BulkOperationRequest request) =>
        (await host.Services.GetRequiredService<BulkOperationService>().StartAsync(user, request)).ShouldBeOfType<BulkStartResult.Started>().Operation;

    /// <summary>Waits until the operation is no longer Running.</summary>
    internal static async Task<BulkOperationView> WaitAsync(ReconciliationTestHost host, Guid id, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        while (true)
        {
            var operation = await host.Services.GetRequiredService<BulkOperationService>().GetAsync(host.Operator.Principal, id, deadline.Token);
            if (operation is { IsActive: false })
            {
                return operation;
            }

            await Task.Delay(50, deadline.Token);
        }
    }

    private static async Task<List<TenantView>> DemosAsync(ReconciliationTestHost host, int count)
    {
        var tenants = new List<TenantView>();
        for (var i = 0; i < count; i++)
        {
            tenants.Add(await host.CreateDemoAsync());
        }

        return tenants;
    }

    [Fact]
    public async Task A_bulk_apply_runs_the_canary_then_waves_and_stops_after_the_wave_with_a_failure()
    {
        await using var host = await StartHostAsync(Provider);
        var tenants = await DemosAsync(host, 6);
        var failing = tenants[4];
        await ApplyEngineTests.FillStackQuotaAsync(host, failing);
        var untouched = await host.CountObjectsAsync(tenants[5].Id);

        var started = await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "apply", TenantIds = [.. tenants.Select(t => t.Id)], WaveSize = 2 });
        var done = await WaitAsync(host, started.Id);

        started.Waves.ShouldBe(4);
        started.Tenants.Select(t => t.Wave).ShouldBe([0, 1, 1, 2, 2, 3]);
        done.State.ShouldBe(BulkOperationState.Stopped);
        done.StoppedAtWave.ShouldBe(2);
        done.WaveStates.Select(w => w.State).ShouldBe([BulkTenantState.Succeeded, BulkTenantState.Succeeded, BulkTenantState.Failed, BulkTenantState.Skipped]);
        var failed = done.Tenants.Single(t => t.TenantId == failing.Id);
        failed.State.ShouldBe(BulkTenantState.Failed);
        failed.Error.ShouldNotBeNull().ShouldContain("AppStream stack");
        done.Tenants.Single(t => t.TenantId == tenants[3].Id).State.ShouldBe(BulkTenantState.Succeeded, "its wave ran to its end");
        var skipped = done.Tenants.Single(t => t.TenantId == tenants[5].Id);
        skipped.State.ShouldBe(BulkTenantState.Skipped);
        skipped.Error.ShouldBe("Not run: wave 2 of the bulk apply had failures.");
        skipped.ApplyId.ShouldBeNull();
        (await host.Reconciliation.ListAppliesAsync(await host.TenantAsync(tenants[5].Id))).ShouldBeEmpty();
        (await host.CountObjectsAsync(tenants[5].Id)).ShouldBe(untouched, "nothing is applied to a tenant of a wave after the failure");
        foreach (var tenant in done.Tenants.Where(t => t.State == BulkTenantState.Succeeded))
        {
            var apply = (await host.Reconciliation.GetApplyAsync(await host.TenantAsync(tenant.TenantId), tenant.ApplyId!.Value))!;
            apply.State.ShouldBe(ApplyState.Succeeded, "a tenant succeeds only once its apply has");
        }

        done.Summary.ShouldBe("Stopped after wave 2 had failures: 4 tenants applied, 1 failed, 1 tenant not run.");
        (await host.AuditAsync(tenants[5].Id)).Select(a => a.Action).Take(2).ShouldBe([AuditActions.BulkSkipped, AuditActions.BulkRequested], "the newest first");
        (await host.AuditAsync(tenants[0].Id)).ShouldContain(a => a.Action == AuditActions.ApplyRequested && a.Summary.Contains(started.Id.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bulk_plan_records_each_tenants_changes_and_a_bulk_check_the_health_it_found()
    {
        await using var host = await StartHostAsync(Provider);
        var tenants = await DemosAsync(host, 3);
        var ids = tenants.Select(t => t.Id).ToList();

        var plan = await WaitAsync(host, (await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "plan", TenantIds = ids })).Id);

        plan.State.ShouldBe(BulkOperationState.Succeeded);
        var changes = (await host.PlanAsync(tenants[0].Id)).Items.Count(i => i.Action is PlanAction.Create or PlanAction.Update);
        changes.ShouldBeGreaterThan(0);
        plan.Tenants.ShouldAllBe(t => t.State == BulkTenantState.Succeeded && t.Changes == changes);
        plan.Summary.ShouldBe($"Done in 2 waves: 3 tenants planned, {changes * 3} changes to make.");
        (await host.AuditAsync(tenants[1].Id)).Select(a => a.Action).ShouldContain(AuditActions.Planned);

        var check = await WaitAsync(host, (await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "check", AllTenants = true })).Id);

        check.State.ShouldBe(BulkOperationState.Succeeded);
        check.Tenants.Select(t => t.TenantId).ShouldBe(ids, ignoreOrder: true);
        check.Tenants.ShouldAllBe(t => t.Health == "Pending");
        check.Summary.ShouldBe("Done in 2 waves: 3 tenants checked (3 pending).");
    }

    [Fact]
    public async Task A_tenant_admin_may_not_include_another_tenant_and_a_viewer_may_plan_but_not_apply()
    {
        await using var host = await StartHostAsync(Provider);
        var mine = await host.CreateDemoAsync();
        var other = await host.CreateDemoAsync();
        var admin = await host.Host.CreateUserAsync(Roles.TenantAdmin, mine.Id);
        var viewer = await host.Host.CreateUserAsync(Roles.Viewer, mine.Id);
        var service = host.Services.GetRequiredService<BulkOperationService>();
        var untouched = await host.CountObjectsAsync(other.Id);

        (await service.StartAsync(admin.Principal, new BulkOperationRequest { Operation = "apply", TenantIds = [mine.Id, other.Id] }))
            .ShouldBeOfType<BulkStartResult.NotFound>().TenantIds.ShouldBe([other.Id]);
        (await service.StartAsync(viewer.Principal, new BulkOperationRequest { Operation = "apply", TenantIds = [mine.Id] })).ShouldBeOfType<BulkStartResult.Forbidden>();
        (await service.StartAsync(admin.ReadOnlyPrincipal, new BulkOperationRequest { Operation = "check", TenantIds = [mine.Id] })).ShouldBeOfType<BulkStartResult.Forbidden>();
        var everything = await StartAsync(host, admin.Principal, new BulkOperationRequest { Operation = "plan", AllTenants = true });
        everything.Tenants.Select(t => t.TenantId).ShouldBe([mine.Id], "a filter chooses among the caller's tenants only");
        var planned = await StartAsync(host, viewer.Principal, new BulkOperationRequest { Operation = "plan", TenantIds = [mine.Id] });
        await WaitAsync(host, planned.Id);
        var theirs = await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "plan", TenantIds = [mine.Id, other.Id] });

        (await service.ListAsync(admin.Principal)).Select(o => o.Id).ShouldBe([planned.Id, everything.Id]);
        (await service.GetAsync(admin.Principal, theirs.Id)).ShouldBeNull("it names a tenant outside the admin's scope");
        (await service.CancelAsync(admin.Principal, theirs.Id)).ShouldBe(BulkCancelResult.NotFound);
        (await service.ListAsync(host.Operator.Principal)).Count.ShouldBe(3);
        (await host.CountObjectsAsync(other.Id)).ShouldBe(untouched);
    }

    [Fact]
    public async Task An_operation_whose_tenants_were_all_deleted_is_shown_to_no_tenant_scoped_caller()
    {
        await using var host = await StartHostAsync(Provider);
        var gone = await host.CreateDemoAsync();
        var kept = await host.CreateDemoAsync();
        var admin = await host.Host.CreateUserAsync(Roles.TenantAdmin, kept.Id);
        var planned = await WaitAsync(host, (await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "plan", TenantIds = [gone.Id] })).Id);

        (await host.Host.Tenants.DeleteAsync(await host.TenantAsync(gone.Id))).ShouldBeTrue();

        var service = host.Services.GetRequiredService<BulkOperationService>();
        (await service.ListAsync(admin.Principal)).ShouldBeEmpty();
        (await service.GetAsync(admin.Principal, planned.Id)).ShouldBeNull();
        (await service.ListAsync(host.Operator.Principal)).ShouldHaveSingleItem().Id.ShouldBe(planned.Id);
    }

    [Fact]
    public async Task A_request_with_an_unknown_operation_or_health_no_tenants_or_a_wave_size_out_of_range_is_refused_by_field()
    {
        await using var host = await StartHostAsync(Provider);
        var tenant = await host.CreateDemoAsync();
        var service = host.Services.GetRequiredService<BulkOperationService>();

        async Task<IReadOnlyDictionary<string, string[]>> Errors(BulkOperationRequest request) =>
            (await service.StartAsync(host.Operator.Principal, request)).ShouldBeOfType<BulkStartResult.Invalid>().Errors;

        (await Errors(new BulkOperationRequest { Operation = "destroy", TenantIds = [tenant.Id] })).Keys.ShouldBe([BulkOperationService.OperationField]);
        (await Errors(new BulkOperationRequest { Operation = "plan" })).Keys.ShouldBe([BulkOperationService.TenantIdsField]);
        (await Errors(new BulkOperationRequest { Operation = "plan", TenantIds = [tenant.Id], WaveSize = 0 })).Keys.ShouldBe([BulkOperationService.WaveSizeField]);
        (await Errors(new BulkOperationRequest { Operation = "plan", TenantIds = [tenant.Id], WaveSize = 101 })).Keys.ShouldBe([BulkOperationService.WaveSizeField]);
        (await Errors(new BulkOperationRequest { Operation = "plan", Search = "no such tenant" }))[BulkOperationService.TenantIdsField].ShouldBe(["No tenant in your scope matches the filter."]);
        (await Errors(new BulkOperationRequest { Operation = "plan", Search = "demo", Health = "Sideways" })).Keys.ShouldBe([BulkOperationService.HealthField]);
        // Read as flags, "plan,apply" would be Plan | Apply, which is Apply, and "unknown,healthy" Healthy.
        (await Errors(new BulkOperationRequest { Operation = "plan,apply", TenantIds = [tenant.Id] })).Keys.ShouldBe([BulkOperationService.OperationField]);
        (await Errors(new BulkOperationRequest { Operation = "plan", Search = "demo", Health = "Unknown,Healthy" })).Keys.ShouldBe([BulkOperationService.HealthField]);
        (await service.ListAsync(host.Operator.Principal)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Tenants_deleted_while_the_operation_runs_drop_out_and_the_waves_after_theirs_still_run()
    {
        await using var host = await StartHostAsync(Provider);
        var tenants = await DemosAsync(host, 4);
        var release = new TaskCompletionSource();
        var reached = host.HoldAtConnectInstance(release.Task);
        var started = await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "apply", TenantIds = [.. tenants.Select(t => t.Id)], WaveSize = 1 });
        await reached;

        // The canary in the middle of its apply, and wave 1's only tenant: that wave is now empty, not the operation's end.
        (await host.Host.Tenants.DeleteAsync(await host.TenantAsync(tenants[0].Id))).ShouldBeTrue();
        (await host.Host.Tenants.DeleteAsync(await host.TenantAsync(tenants[1].Id))).ShouldBeTrue();
        release.SetResult();
        var done = await WaitAsync(host, started.Id, TimeSpan.FromSeconds(30));

        done.State.ShouldBe(BulkOperationState.Succeeded, done.Summary);
        done.Tenants.Select(t => t.TenantId).ShouldBe([tenants[2].Id, tenants[3].Id]);
        done.Tenants.ShouldAllBe(t => t.State == BulkTenantState.Succeeded && t.ApplyId != null);
        done.Summary.ShouldBe("Done in 4 waves: 2 tenants applied.");
    }

    [Fact]
    public async Task A_bulk_apply_of_tenants_with_nothing_to_do_succeeds_and_one_set_up_by_hand_is_applied_too()
    {
        await using var host = await StartHostAsync(Provider);
        var applied = await host.CreateDemoAsync();
        (await host.ApplyAsync(applied.Id)).State.ShouldBe(ApplyState.Succeeded);
        var handBuilt = await SplitCcp.Tests.Core.Sandbox.SandboxChangesTests.CreateHandBuiltAsync(host);

        var done = await WaitAsync(host, (await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "apply", TenantIds = [applied.Id, handBuilt.Id] })).Id);

        done.State.ShouldBe(BulkOperationState.Succeeded, done.Summary);
        done.Tenants.ShouldAllBe(t => t.State == BulkTenantState.Succeeded && t.ApplyId != null);
        (await host.Reconciliation.GetApplyAsync(await host.TenantAsync(applied.Id), done.Tenants[0].ApplyId!.Value))!.State.ShouldBe(ApplyState.Succeeded);
        var plan = await WaitAsync(host, (await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "plan", TenantIds = [applied.Id, handBuilt.Id] })).Id);
        plan.Tenants.ShouldAllBe(t => t.Changes == 0, "both are in line with their setup now");
    }

    [Fact]
    public async Task A_bulk_apply_AWS_throttles_throughout_stops_at_the_canary_and_says_why()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider, extraSettings: new Dictionary<string, string?>
        {
            ["SplitCcp:Bulk:PollInterval"] = "00:00:00.050",
            ["SplitCcp:Aws:Retry:MaxRetries"] = "1",
            ["SplitCcp:Reconciliation:ApplyRetries"] = "1",
            ["SplitCcp:Reconciliation:ApplyRetryDelay"] = "00:00:00.100",
        });
        var tenants = await DemosAsync(host, 2);
        host.SandboxOptions.ThrottleRate = 1;

        var done = await WaitAsync(host, (await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "apply", TenantIds = [.. tenants.Select(t => t.Id)] })).Id, TimeSpan.FromSeconds(60));

        done.State.ShouldBe(BulkOperationState.Stopped);
        done.StoppedAtWave.ShouldBe(0);
        done.Tenants[0].Error.ShouldNotBeNull().ShouldContain("throttl", Case.Insensitive);
        done.Tenants[1].State.ShouldBe(BulkTenantState.Skipped);
    }

    [Fact]
    public async Task A_bulk_apply_interrupted_by_a_restart_resumes_without_applying_any_tenant_twice()
    {
        await using var host = await StartHostAsync(Provider);
        var tenants = await DemosAsync(host, 3);
        var reached = host.HoldAtConnectInstance();
        var started = await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "apply", TenantIds = [.. tenants.Select(t => t.Id)], WaveSize = 1 });
        await reached;

        await host.Host.RestartAsync();

        var done = await WaitAsync(host, started.Id);
        done.State.ShouldBe(BulkOperationState.Succeeded, done.Summary);
        foreach (var tenant in tenants)
        {
            var applies = await host.Reconciliation.ListAppliesAsync(await host.TenantAsync(tenant.Id));
            applies.ShouldHaveSingleItem($"tenant {tenant.Slug} is applied once").State.ShouldBe(ApplyState.Succeeded);
            done.Tenants.Single(t => t.TenantId == tenant.Id).ApplyId.ShouldBe(applies[0].Id);
        }

        (await host.Reconciliation.GetApplyAsync(await host.TenantAsync(tenants[0].Id), done.Tenants[0].ApplyId!.Value))!.Attempts.ShouldBe(2, "the canary's apply resumed");
    }

    [Fact]
    public async Task A_tenant_resumed_with_no_apply_recorded_does_not_take_someone_elses_running_apply_for_its_own()
    {
        await using var host = await StartHostAsync(Provider);
        var tenant = await host.CreateDemoAsync();
        var reached = host.HoldAtConnectInstance();
        var theirs = await host.StartApplyAsync(tenant.Id);
        await reached;

        // As a portal stopped after it began the tenant's turn and before it started an apply: the apply is recorded with
        // the apply's own save, so a turn with none recorded started none.
        var bulk = new BulkOperation
        {
            Id = Guid.CreateVersion7(), Kind = BulkOperationKind.Apply, State = BulkOperationState.Running, RequestedBy = "ops@example.com", CreatedAt = DateTime.UtcNow,
            WaveSize = 5, Waves = 1,
            Tenants = [new BulkOperationTenant { TenantId = tenant.Id, Ordinal = 0, Wave = 0, State = BulkTenantState.Running, StartedAt = DateTime.UtcNow }],
        };
        await using (var db = await ApplyClaimTests.Db(host).CreateDbContextAsync())
        {
            db.BulkOperations.Add(bulk);
            await db.SaveChangesAsync();
        }

        host.Services.GetRequiredService<BulkRunner>().Enqueue(bulk.Id);
        var done = await WaitAsync(host, bulk.Id, TimeSpan.FromSeconds(30));

        done.State.ShouldBe(BulkOperationState.Stopped);
        var row = done.Tenants.ShouldHaveSingleItem();
        row.State.ShouldBe(BulkTenantState.Failed);
        row.Error.ShouldBe("Another apply of this tenant was running; it was not applied again.");
        row.ApplyId.ShouldBeNull($"apply {theirs.Id} is someone else's");
    }

    [Fact]
    public async Task Another_portal_takes_a_running_bulk_operation_only_once_its_owner_is_gone_and_of_two_only_one_takes_it()
    {
        await using var host = await StartHostAsync(Provider);
        var tenant = await host.CreateDemoAsync();
        var reached = host.HoldAtConnectInstance();
        var started = await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "apply", TenantIds = [tenant.Id] });
        await reached;
        var first = OtherPortal(host, "machine-a");
        var second = OtherPortal(host, "machine-b");

        (await first.ClaimAvailableAsync(CancellationToken.None)).ShouldBeEmpty("its owner runs it and renews its lease");

        // The owner's lease lapses, as when its process stopped without a word.
        await using (var db = await ApplyClaimTests.Db(host).CreateDbContextAsync())
        {
            var lapsed = DateTime.UtcNow.AddMinutes(-1);
            await db.BulkOperations.Where(o => o.Id == started.Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.LeaseUntil, lapsed));
        }

        var taken = await Task.WhenAll(first.ClaimAvailableAsync(CancellationToken.None), second.ClaimAvailableAsync(CancellationToken.None));

        taken.SelectMany(t => t).ShouldBe([started.Id], "one portal takes it over, the other finds it taken");
    }

    [Fact]
    public async Task A_sweep_with_no_bulk_operation_writes_nothing_and_one_with_an_operation_under_way_renews_its_lease()
    {
        await using var host = await StartHostAsync(Provider);
        var runner = host.Services.GetRequiredService<BulkRunner>();

        var idle = await DbCommandRecorder.RecordAsync(() => runner.SweepOnceAsync(CancellationToken.None));

        idle.ShouldNotBeEmpty("it looks for operations to resume");
        idle.ShouldNotContain(c => DbCommandRecorder.IsWrite(c), "every replica sweeps, and an idle portal has nothing to renew");

        var tenant = await host.CreateDemoAsync();
        var release = new TaskCompletionSource();
        var reached = host.HoldAtConnectInstance(release.Task);
        var started = await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "apply", TenantIds = [tenant.Id] });
        await reached;
        var soon = DateTime.UtcNow.AddSeconds(1);
        await using (var db = await ApplyClaimTests.Db(host).CreateDbContextAsync())
        {
            await db.BulkOperations.Where(o => o.Id == started.Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.LeaseUntil, soon));
        }

        await runner.SweepOnceAsync(CancellationToken.None);

        await using (var db = await ApplyClaimTests.Db(host).CreateDbContextAsync())
        {
            (await db.BulkOperations.Where(o => o.Id == started.Id).Select(o => o.LeaseUntil).SingleAsync()).ShouldNotBeNull().ShouldBeGreaterThan(soon.AddSeconds(10));
        }

        release.SetResult();
        (await WaitAsync(host, started.Id)).State.ShouldBe(BulkOperationState.Succeeded);
    }

    /// <summary>The bulk claims of another portal process on the same database, on a machine of its own.</summary>
    private static BulkClaims OtherPortal(ReconciliationTestHost host, string machine) =>
        new(ApplyClaimTests.Db(host), ApplyClaimTests.OtherPortal(host, machine), host.Services.GetRequiredService<IOptions<ReconciliationOptions>>(), TimeProvider.System);

    [Fact]
    public async Task A_cancel_lets_the_wave_under_way_finish_and_runs_no_wave_after_it()
    {
        await using var host = await StartHostAsync(Provider);
        var tenants = await DemosAsync(host, 3);
        var untouched = await host.CountObjectsAsync(tenants[2].Id);
        var release = new TaskCompletionSource();
        var reached = host.HoldAtConnectInstance(release.Task);
        var started = await StartAsync(host, host.Operator.Principal, new BulkOperationRequest { Operation = "apply", TenantIds = [.. tenants.Select(t => t.Id)] });
        await reached;

        (await host.Services.GetRequiredService<BulkOperationService>().CancelAsync(host.Operator.Principal, started.Id)).ShouldBe(BulkCancelResult.Cancelling);
        release.SetResult();
        var done = await WaitAsync(host, started.Id);

        done.State.ShouldBe(BulkOperationState.Cancelled);
        done.Tenants[0].State.ShouldBe(BulkTenantState.Succeeded, "the canary's wave was under way and ran to its end");
        done.Tenants.Skip(1).ShouldAllBe(t => t.State == BulkTenantState.Skipped && t.ApplyId == null);
        (await host.CountObjectsAsync(tenants[2].Id)).ShouldBe(untouched);
        (await host.Services.GetRequiredService<BulkOperationService>().CancelAsync(host.Operator.Principal, started.Id)).ShouldBe(BulkCancelResult.Finished);
    }
}

public sealed class PostgreSqlBulkOperationTests() : BulkOperationTests(StorageProvider.PostgreSql);
