using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// Brings the database up to date before the app serves a request: WAL, migrations, then each <see cref="IDatabaseSeed"/>
/// in the order they were registered (the roles, the bootstrap admin and token). On PostgreSQL, where replicas may start
/// together, one at a time: each holds a session advisory lock of the database from before its migrations until its seeds
/// are written, so the next one finds the schema migrated and the rows there (EF Core's own migration lock covers the
/// migrations only, and two replicas seeding at once would both add the roles).
/// </summary>
internal sealed class DatabaseInitializer(IServiceScopeFactory scopes) : IHostedService
{
    /// <summary>The advisory lock's key: any number the portal uses for nothing else, the same in every replica.</summary>
    internal const long StartLockKey = 0x5370_6C69_7443_6370; // "SplitCcp"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            switch (db.Database.GetDbConnection())
            {
                case SqliteConnection:
                    // WAL lets the drift worker write while pages read; the setting is kept in the file.
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
                    break;
                case NpgsqlConnection server:
                    await ExecuteAsync(server, $"SELECT pg_advisory_lock({StartLockKey});", cancellationToken);
                    break;
            }

            await db.Database.MigrateAsync(cancellationToken);
            foreach (var seed in services.GetServices<IDatabaseSeed>())
            {
                await seed.SeedAsync(cancellationToken);
            }
        }
        finally
        {
            // Unlocked here: a pooled connection's session outlives its closing.
            if (db.Database.GetDbConnection() is NpgsqlConnection { State: System.Data.ConnectionState.Open } server)
            {
                await ExecuteAsync(server, $"SELECT pg_advisory_unlock({StartLockKey});", CancellationToken.None);
            }

            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Runs a command without a timeout: waiting for another replica's migrations may take longer than a query.</summary>
    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Rows the portal needs before it serves a request, written once the schema is up to date.</summary>
public interface IDatabaseSeed
{
    /// <summary>Writes what is missing; writes nothing when it is all there.</summary>
    Task SeedAsync(CancellationToken ct);
}
