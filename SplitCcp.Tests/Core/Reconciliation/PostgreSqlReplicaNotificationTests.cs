using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using static SplitCcp.Tests.Core.Reconciliation.Drift.DriftWaits;

namespace SplitCcp.Tests.Core.Reconciliation;

/// <summary>
/// Two portals on one PostgreSQL database, on the real clock: what one of them notifies its open pages about (an apply's
/// change or end, a drift check, a drift pass) reaches the other's notifiers within a second, and never comes back to the
/// one that sent it.
/// </summary>
public sealed class PostgreSqlReplicaNotificationTests
{
    private static readonly TimeSpan s_second = TimeSpan.FromSeconds(1);

    // The apply change RoundTripAsync sends to learn that a portal has heard everything sent before it.
    private static readonly (Guid, Guid) s_roundTrip = (Guid.Empty, Guid.Parse("00000000-0000-0000-0000-00000000a11e"));

    [Fact]
    public async Task An_apply_that_ends_on_one_replica_shows_on_the_other_within_a_second_and_only_the_first_checks_it()
    {
        var drift = new Dictionary<string, string?> { ["SplitCcp:Drift:Enabled"] = "true", ["SplitCcp:Drift:Interval"] = "01:00:00" };
        await using var first = await StartAsync(drift);
        await using var second = await first.StartReplicaAsync();
        await WaitForListenersAsync(first);
        var tenant = await first.CreateTenantAsync((await first.CreateOperatorAsync()).Principal, "applied");
        var (changedHere, finishedHere, checkedHere) = Record(first);
        var (changedThere, finishedThere, checkedThere) = Record(second);
        var heard = Heard(Applies(second));
        var applyId = Guid.NewGuid();

        Applies(first).NotifyFinished(tenant.Id, applyId);

        (await heard.WaitAsync(s_second)).ShouldBe((tenant.Id, applyId));
        await RoundTripAsync(second, first);
        changedHere.ToArray().ShouldBe([(tenant.Id, applyId), s_roundTrip], customMessage: "its own change is not heard back");
        finishedHere.ToArray().ShouldBe([(tenant.Id, applyId)]);
        await WaitUntilAsync(() => checkedHere.Contains(tenant.Id));
        changedThere.ToArray().ShouldBe([(tenant.Id, applyId), s_roundTrip]);
        finishedThere.ShouldBeEmpty("another replica's apply is that replica's to follow up");
        checkedThere.ShouldBeEmpty("the replica that ran the apply checks the tenant");
    }

    [Fact]
    public async Task A_drift_check_and_a_drift_pass_on_one_replica_show_on_the_other_within_a_second()
    {
        await using var first = await StartAsync();
        await using var second = await first.StartReplicaAsync();
        await WaitForListenersAsync(first);
        var tenant = await first.CreateTenantAsync((await first.CreateOperatorAsync()).Principal, "checked");
        var checkedHere = new ConcurrentQueue<Guid>();
        Drift(first).Checked += checkedHere.Enqueue;
        var checkedThere = new TaskCompletionSource<Guid>(TaskCreationOptions.RunContinuationsAsynchronously);
        Drift(second).Checked += id => checkedThere.TrySetResult(id);
        var passThere = new TaskCompletionSource<DriftPassInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        Drift(second).PassChanged += pass =>
        {
            if (pass.FinishedAt is not null)
            {
                passThere.TrySetResult(pass);
            }
        };

        await first.Services.GetRequiredService<DriftChecker>().CheckAsync(tenant.Id, CancellationToken.None);
        (await checkedThere.Task.WaitAsync(s_second)).ShouldBe(tenant.Id);
        var pass = await first.Services.GetRequiredService<DriftWorker>().CheckAllAsync();
        (await passThere.Task.WaitAsync(s_second)).ShouldBe(pass);

        await RoundTripAsync(second, first);
        checkedHere.ToArray().ShouldBe([tenant.Id, tenant.Id], customMessage: "its own check and its pass's, each once");
    }

    [Fact]
    public async Task A_listener_whose_connection_is_ended_listens_again_and_hears_the_next_update()
    {
        await using var first = await StartAsync();
        await using var second = await first.StartReplicaAsync();
        var ended = await WaitForListenersAsync(first);

        (await first.QueryScalarAsync(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name",
            ("name", ReplicaNotifications.ListenerName))).ShouldBe(2L);
        var listening = await WaitForListenersAsync(first, except: ended);
        var heard = Heard(Applies(second));
        var applyId = Guid.NewGuid();
        Applies(first).Notify(Guid.NewGuid(), applyId);

        listening.Intersect(ended).ShouldBeEmpty();
        (await heard.WaitAsync(s_second)).Item2.ShouldBe(applyId);
    }

    private static Task<CoreTestHost> StartAsync(Dictionary<string, string?>? settings = null) =>
        CoreTestHost.StartAsync(settings, realTime: true, provider: StorageProvider.PostgreSql);

    private static ApplyNotifier Applies(CoreTestHost host) => host.Services.GetRequiredService<ApplyNotifier>();

    private static DriftNotifier Drift(CoreTestHost host) => host.Services.GetRequiredService<DriftNotifier>();

    private static (ConcurrentQueue<(Guid, Guid)> Changed, ConcurrentQueue<(Guid, Guid)> Finished, ConcurrentQueue<Guid> Checked) Record(CoreTestHost host)
    {
        var changed = new ConcurrentQueue<(Guid, Guid)>();
        var finished = new ConcurrentQueue<(Guid, Guid)>();
        var asked = new ConcurrentQueue<Guid>();
        Applies(host).Changed += (tenant, apply) => changed.Enqueue((tenant, apply));
        Applies(host).Finished += (tenant, apply) => finished.Enqueue((tenant, apply));
        host.Services.GetRequiredService<DriftChecker>().OnCheckAsked = asked.Enqueue;
        return (changed, finished, asked);
    }

    /// <summary>The first apply change the notifier raises from now on.</summary>
    private static Task<(Guid, Guid)> Heard(ApplyNotifier notifier)
    {
        var heard = new TaskCompletionSource<(Guid, Guid)>(TaskCreationOptions.RunContinuationsAsynchronously);
        notifier.Changed += (tenant, apply) => heard.TrySetResult((tenant, apply));
        return heard.Task;
    }

    /// <summary>
    /// Sends a marker from <paramref name="from"/> and waits for <paramref name="to"/> to hear it: PostgreSQL delivers in the
    /// order sent, so by then <paramref name="to"/> has heard everything sent before the marker, its own echoes included.
    /// </summary>
    private static async Task RoundTripAsync(CoreTestHost from, CoreTestHost to)
    {
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Applies(to).Changed += (tenant, apply) =>
        {
            if ((tenant, apply) == s_roundTrip)
            {
                heard.TrySetResult();
            }
        };
        Applies(from).Notify(s_roundTrip.Item1, s_roundTrip.Item2);
        await heard.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>Waits until both portals listen, on connections other than <paramref name="except"/>; answers their server process IDs.</summary>
    private static async Task<IReadOnlyList<string>> WaitForListenersAsync(CoreTestHost host, IReadOnlyList<string>? except = null)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var pids = ((await host.QueryScalarAsync(
                "SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name AND state = 'idle' AND query LIKE 'LISTEN%'",
                ("name", ReplicaNotifications.ListenerName))) as string ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
            if (pids.Length == 2 && !pids.Intersect(except ?? []).Any())
            {
                return pids;
            }

            await Task.Delay(50, deadline.Token);
        }
    }
}
