using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// The lock a portal holds on its PostgreSQL database while it migrates and seeds it: a session advisory lock, on a
/// connection of its own outside the pool, so that it ends with that connection however the start ends. Taking it first
/// creates the database when the server has none of that name yet, as EF Core's migrations would have.
/// </summary>
internal sealed partial class PostgreSqlStartLock : IAsyncDisposable
{
    /// <summary>The advisory lock's key: any number the portal uses for nothing else, the same in every replica.</summary>
    internal const long Key = 0x5370_6C69_7443_6370; // "SplitCcp"

    private readonly NpgsqlConnection _connection;
    private readonly ILogger _logger;

    private PostgreSqlStartLock(NpgsqlConnection connection, ILogger logger)
    {
        _connection = connection;
        _logger = logger;
    }

    /// <summary>Waits for the lock as long as another portal holds it: its migrations may take longer than any query.</summary>
    public static async Task<PostgreSqlStartLock> TakeAsync(SplitCcpDbContext db, ILogger logger, CancellationToken ct)
    {
        var settings = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false, Multiplexing = false };
        var connection = new NpgsqlConnection(settings.ConnectionString);
        try
        {
            try
            {
                await connection.OpenAsync(ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
            {
                await CreateDatabaseAsync(db, logger, settings.Database, ct);
                await connection.OpenAsync(ct);
            }

            await ExecuteAsync(connection, $"SELECT pg_advisory_lock({Key});", ct);
            return new PostgreSqlStartLock(connection, logger);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Unlocks, and closes the connection, which unlocks by itself when the unlock cannot be sent.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ExecuteAsync(_connection, $"SELECT pg_advisory_unlock({Key});", CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The start's own outcome, success or its error, is what matters; the server ends the lock with the session.
            LogUnlockFailed(_logger, ex);
        }
        finally
        {
            await _connection.DisposeAsync();
        }
    }

    private static async Task CreateDatabaseAsync(SplitCcpDbContext db, ILogger logger, string? name, CancellationToken ct)
    {
        try
        {
            await db.GetService<IRelationalDatabaseCreator>().CreateAsync(ct);
            LogCreated(logger, name);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another portal starting at the same moment created it.
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the database {Database} on the PostgreSQL server.")]
    private static partial void LogCreated(ILogger logger, string? database);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the start lock; the server releases it as its connection closes.")]
    private static partial void LogUnlockFailed(ILogger logger, Exception exception);
}
