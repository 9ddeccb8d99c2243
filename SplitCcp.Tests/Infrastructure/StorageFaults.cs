using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>
/// Real SQLite storage errors on demand, for a portal under test whose process may write anywhere (tests run as root, so
/// chmod stops nothing). While a fault is on, every connection the portal opens is set up so SQLite itself refuses writes:
/// <see cref="ReadOnly"/> answers SQLITE_READONLY ("attempt to write a readonly database") to every write,
/// <see cref="DiskFull"/> answers SQLITE_FULL ("database or disk is full") to a write that needs more room than the file
/// has. <see cref="Clear"/> stops setting connections up but leaves those already open as they are, as storage that comes
/// back leaves a connection that SQLite opened read-only: read-only until it is closed.
/// </summary>
public sealed class StorageFaults : DbConnectionInterceptor
{
    private volatile Fault _fault;

    private enum Fault
    {
        None,
        ReadOnly,
        DiskFull,
    }

    /// <summary>Adds the faults to every database context the portal makes; call before the app starts.</summary>
    public void AddTo(IServiceCollection services) =>
        services.ConfigureDbContext<SqliteSplitCcpDbContext>((_, options) => options.AddInterceptors(this));

    /// <summary>From now on, every write is refused as on a read-only data folder.</summary>
    public void ReadOnly() => Start(Fault.ReadOnly);

    /// <summary>From now on, the database cannot grow, as on a full disk: a write that needs a new page fails.</summary>
    public void DiskFull() => Start(Fault.DiskFull);

    /// <summary>
    /// A fault of the disk reaches every connection, idle ones too: the pool's idle connections are closed, so the next
    /// command of any context opens one afresh, with the fault (otherwise a pooled connection opened before it would not see it).
    /// </summary>
    private void Start(Fault fault)
    {
        _fault = fault;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    /// <summary>Connections opened from now on are left alone; those opened during the fault keep it until they are closed.</summary>
    public void Clear() => _fault = Fault.None;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => SetUp(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        SetUp(connection);
        return Task.CompletedTask;
    }

    private void SetUp(DbConnection connection)
    {
        var fault = _fault;
        if (fault == Fault.None)
        {
            return;
        }

        using var command = connection.CreateCommand();
        if (fault == Fault.DiskFull)
        {
            command.CommandText = "PRAGMA page_count;";
            var pages = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            command.CommandText = $"PRAGMA max_page_count = {pages};";
        }
        else
        {
            command.CommandText = "PRAGMA query_only = 1;";
        }

        command.ExecuteNonQuery();
    }
}
