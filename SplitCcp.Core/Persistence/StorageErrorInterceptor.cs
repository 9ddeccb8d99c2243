using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// Watches every connection, transaction and command for storage errors (SQLite's, or a PostgreSQL server's: see
/// <see cref="StorageFault.From"/>) and reports them to <see cref="StorageHealth"/>.
/// SQLite opens a file it cannot write read-only, without an error, and Microsoft.Data.Sqlite's pool would go on handing
/// out that connection after the storage is writable again, so every save would keep failing until a restart: on any
/// storage error, and on a connection that SQLite opened read-only, the pool is emptied, and connections opened afresh
/// open the file read-write once it can be written. A PostgreSQL pool is emptied likewise: its connections may be to a
/// server that went away.
/// </summary>
internal sealed class StorageErrorInterceptor(StorageHealth health) : DbCommandInterceptor, IDbConnectionInterceptor, IDbTransactionInterceptor
{
    public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => ObserveOpened(connection);

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ObserveOpened(connection);
        return Task.CompletedTask;
    }

    public void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => Observe(connection, StorageFault.FromFailedOpen(eventData.Exception));

    public Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Observe(connection, StorageFault.FromFailedOpen(eventData.Exception));
        return Task.CompletedTask;
    }

    // SQLite refuses a write transaction at its BEGIN (IMMEDIATE) on a read-only file, and EF Core tells interceptors of no
    // failure there: so the transaction is begun here, as EF Core would begin it, to see the refusal.
    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (result.HasResult)
        {
            return result;
        }

        try
        {
            return InterceptionResult<DbTransaction>.SuppressWithResult(connection.BeginTransaction(eventData.IsolationLevel));
        }
        catch (Exception ex)
        {
            Observe(connection, ex);
            throw;
        }
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (result.HasResult)
        {
            return result;
        }

        try
        {
            return InterceptionResult<DbTransaction>.SuppressWithResult(await connection.BeginTransactionAsync(eventData.IsolationLevel, cancellationToken));
        }
        catch (Exception ex)
        {
            Observe(connection, ex);
            throw;
        }
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) =>
        Observe(eventData.Context?.Database.GetDbConnection(), eventData.Exception);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Observe(eventData.Context?.Database.GetDbConnection(), eventData.Exception);
        return Task.CompletedTask;
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Observe(command.Connection, eventData.Exception);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Observe(command.Connection, eventData.Exception);
        return Task.CompletedTask;
    }

    private void ObserveOpened(DbConnection connection)
    {
        // A connection that asked for read-write (EF Core's own existence check asks for read-only) but has a read-only
        // handle could not open the file for writing.
        if (connection is SqliteConnection { Handle: { } handle } sqlite && SQLitePCL.raw.sqlite3_db_readonly(handle, "main") == 1
            && new SqliteConnectionStringBuilder(sqlite.ConnectionString).Mode != SqliteOpenMode.ReadOnly)
        {
            health.Report(new StorageFault(StorageFaultKind.ReadOnly, "SQLite could open the database file for reading only"));
            SqliteConnection.ClearPool(sqlite);
        }
    }

    private void Observe(DbConnection? connection, Exception exception) => Observe(connection, StorageFault.From(exception));

    private void Observe(DbConnection? connection, StorageFault? fault)
    {
        if (fault is null)
        {
            return;
        }

        health.Report(fault);
        switch (connection)
        {
            // A pooled SQLite handle may be stuck read-only on the file: none may be reused.
            case SqliteConnection sqlite:
                SqliteConnection.ClearPool(sqlite);
                break;

            // A server's refusal of one statement (read-only, disk full) leaves its connections sound; only a broken or
            // unreachable server makes them worthless.
            case NpgsqlConnection npgsql when fault.Kind == StorageFaultKind.CannotOpen:
                NpgsqlConnection.ClearPool(npgsql);
                break;
        }
    }
}
