using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// Finds out whether the database can be written by writing, at most once per <see cref="Interval"/> however many callers
/// ask (readiness probes of several orchestrators and dashboards): <list type="bullet">
/// <item>a committed write to the database file: its header's user version, set to the value it has (EF Core does not use
/// it), which a read-only file, folder or disk refuses, and a full disk refuses when the log must grow;</item>
/// <item>room for the database to grow by <see cref="MinimumRoomBytes"/>: under SQLite's page limit, and on the disk, by
/// reserving that much for a file beside the database (a full disk refuses the reservation even when a small write still
/// fits in the log's old space).</item>
/// </list>
/// While the database is known not to be writable it probes on its own every <see cref="Interval"/>, so the portal sees the
/// storage come back without waiting for traffic, and it empties the connection pool before each of those probes, so no
/// connection opened while the storage was failing outlives it. On PostgreSQL the probe is a connection to the server that
/// asks whether it takes writes (not a standby, not read-only); the server's disk is its own to watch.
/// </summary>
public sealed partial class StorageProbe(
    IDbContextFactory<SplitCcpDbContext> dbFactory, StorageHealth health, TimeProvider time, ILogger<StorageProbe> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>Less room than this counts as a full disk: SQLite needs some to grow the log and to copy it into the database.</summary>
    public const long MinimumRoomBytes = 1024 * 1024;

    private readonly SemaphoreSlim _probing = new(1, 1);
    private long _lastProbeTicks;

    /// <summary>Why the database cannot be written, or null when it can; probes first when the last probe is older than <see cref="Interval"/>.</summary>
    public async Task<StorageFault?> CheckAsync(CancellationToken ct = default)
    {
        if (IsDue())
        {
            await _probing.WaitAsync(ct);
            try
            {
                if (IsDue())
                {
                    await ProbeAsync(ct);
                    Volatile.Write(ref _lastProbeTicks, time.GetUtcNow().UtcTicks);
                }
            }
            finally
            {
                _probing.Release();
            }
        }

        return health.Fault;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (health.Fault is null)
                {
                    continue;
                }

                try
                {
                    await CheckAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogProbeFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private bool IsDue() => time.GetUtcNow().UtcTicks - Volatile.Read(ref _lastProbeTicks) >= Interval.Ticks;

    private async Task ProbeAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        switch (db.Database.GetDbConnection())
        {
            case SqliteConnection sqlite:
                await ProbeFileAsync(db, sqlite, ct);
                break;
            case NpgsqlConnection npgsql:
                await ProbeServerAsync(db, npgsql, ct);
                break;
        }
    }

    private void Record(StorageFault? fault)
    {
        if (fault is null)
        {
            health.Recovered();
        }
        else
        {
            health.Report(fault);
        }
    }

    private async Task ProbeServerAsync(SplitCcpDbContext db, NpgsqlConnection connection, CancellationToken ct)
    {
        if (health.Fault is not null)
        {
            NpgsqlConnection.ClearPool(connection);
        }

        try
        {
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on';";
                var readOnly = await command.ExecuteScalarAsync(ct) is true;
                Record(readOnly ? new StorageFault(StorageFaultKind.ReadOnly, "the server is a standby or set read-only", OnServer: true) : null);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        catch (Exception ex) when (StorageFault.FromFailedOpen(ex) is { } fault)
        {
            // The interceptor has seen a failed open already; a failure after it (the connection broke) is the probe's to report.
            health.Report(fault);
        }
    }

    private async Task ProbeFileAsync(SplitCcpDbContext db, SqliteConnection connection, CancellationToken ct)
    {
        if (health.Fault is not null)
        {
            SqliteConnection.ClearPool(connection);
        }

        try
        {
            Record(await db.WriteAsync(token => WriteAndMeasureAsync(db, connection, token), ct) ?? ReserveRoomBeside(connection.DataSource));
        }
        catch (Exception ex) when (StorageFault.From(ex) is { } fault)
        {
            // Whatever the failed connection was, the next probe opens a new one.
            SqliteConnection.ClearPool(connection);
            health.Report(fault);
        }
    }

    private static async Task<StorageFault?> WriteAndMeasureAsync(SplitCcpDbContext db, SqliteConnection connection, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version;";
            var version = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            command.CommandText = $"PRAGMA user_version = {version};";
            await command.ExecuteNonQueryAsync(ct);

            command.CommandText = "SELECT page_size, max_page_count - page_count + freelist_count FROM pragma_page_size, pragma_max_page_count, pragma_page_count, pragma_freelist_count;";
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return reader.GetInt64(0) * reader.GetInt64(1) < MinimumRoomBytes
                ? new StorageFault(StorageFaultKind.DiskFull, "the database has reached SQLite's page limit")
                : null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Reserves <see cref="MinimumRoomBytes"/> on the disk for a file beside the database, then removes it.</summary>
    private static StorageFault? ReserveRoomBeside(string database)
    {
        if (database is "" or ":memory:" || !Path.IsPathFullyQualified(database))
        {
            return null;
        }

        try
        {
            using var _ = new FileStream($"{database}-probe", new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                Options = FileOptions.DeleteOnClose,
                PreallocationSize = MinimumRoomBytes,
            });
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return new StorageFault(StorageFaultKind.ReadOnly, "the data folder refuses new files");
        }
        catch (IOException ex)
        {
            // The exception's own message names the file; the fault is shown to anonymous readiness probes.
            return ex.HResult switch
            {
                28 or 122 => new StorageFault(StorageFaultKind.DiskFull, $"less than {MinimumRoomBytes / (1024 * 1024)} MB free on the disk"), // ENOSPC, EDQUOT
                30 => new StorageFault(StorageFaultKind.ReadOnly, "the file system is read-only"), // EROFS
                _ => new StorageFault(StorageFaultKind.DiskError, "the disk refused a new file"),
            };
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking whether the database can be written failed; the next check is in a few seconds.")]
    private static partial void LogProbeFailed(ILogger logger, Exception exception);
}
