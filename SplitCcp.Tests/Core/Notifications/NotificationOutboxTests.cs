using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Notifications;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Tests.Core.Notifications;

/// <summary>The outbox's key: a change recorded by two portals is one event, and the second portal's change goes on from the first's.</summary>
public class NotificationOutboxTests
{
    public NotificationOutboxTests()
        : this(StorageProvider.Sqlite)
    {
    }

    protected NotificationOutboxTests(StorageProvider provider)
    {
        Provider = provider;
    }

    protected StorageProvider Provider { get; }

    [Fact]
    public async Task The_same_change_recorded_twice_is_one_event()
    {
        await using var host = await CoreTestHost.StartAsync(provider: Provider);
        var tenant = (await host.CreateTenantAsync(CoreTestHost.DirectoryOperator, "acme")).Id;
        var applyId = Guid.CreateVersion7();
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, applyId, "failed", DateTime.UtcNow));

        var again = () => RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, applyId, "failed", DateTime.UtcNow));

        DuplicateKey.IsCauseOf(await Should.ThrowAsync<DbUpdateException>(again)).ShouldBeTrue();
        (await host.QueryScalarAsync("SELECT COUNT(*) FROM \"NotificationEvents\"")).ShouldBe(1L);
    }

    [Fact]
    public async Task A_turn_another_portal_recorded_first_makes_this_portals_change_run_again_on_that_portals_row()
    {
        await using var host = await CoreTestHost.StartAsync(provider: Provider);
        var tenant = (await host.CreateTenantAsync(CoreTestHost.DirectoryOperator, "acme")).Id;
        var dbFactory = host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>();
        await TenantDriftTable.UpdateAsync(dbFactory, tenant, (_, row) =>
        {
            row.Status = TenantHealthStatus.Healthy;
            return Task.FromResult(true);
        }, CancellationToken.None);

        var seen = new List<TenantHealthStatus>();
        var stored = await TenantDriftTable.UpdateAsync(dbFactory, tenant, async (db, row) =>
        {
            seen.Add(row.Status);
            if (seen.Count == 1)
            {
                // Another portal finds the same turn and saves it, with its event, after this one read the row.
                await TenantDriftTable.UpdateAsync(dbFactory, tenant, (other, theirs) => Task.FromResult(Turn(other, theirs)), CancellationToken.None);
            }

            return Turn(db, row);
        }, CancellationToken.None);

        stored.ShouldBeTrue();
        seen.ShouldBe([TenantHealthStatus.Healthy, TenantHealthStatus.Drifted], "the second run reads the other portal's row, and finds nothing left to tell");
        (await host.QueryScalarAsync("SELECT COUNT(*) FROM \"NotificationEvents\"")).ShouldBe(1L);
    }

    /// <summary>A check that finds the tenant drifted: a turn to record, unless the row says it is drifted already.</summary>
    private static bool Turn(SplitCcpDbContext db, TenantDrift row)
    {
        if (row.Status == TenantHealthStatus.Drifted)
        {
            return false;
        }

        db.NotificationEvents.Add(NotificationOutbox.TenantTurned(
            NotificationEventKind.TenantDrifted, row.TenantId, row.Status.ToString(), nameof(TenantHealthStatus.Drifted), row.LatestReportId, "drifted", DateTime.UtcNow));
        row.Status = TenantHealthStatus.Drifted;
        return true;
    }

    private static async Task RecordAsync(CoreTestHost host, NotificationEvent e)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync();
        db.NotificationEvents.Add(e);
        await db.SaveChangesAsync();
    }
}

/// <summary>The same facts on PostgreSQL.</summary>
public sealed class PostgreSqlNotificationOutboxTests() : NotificationOutboxTests(StorageProvider.PostgreSql);
