using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// Brings the database up to date before the app serves a request: WAL, migrations, then each <see cref="IDatabaseSeed"/>
/// in the order they were registered (the roles, the bootstrap admin and token). On PostgreSQL, where replicas may start
/// together, one at a time: each holds the <see cref="PostgreSqlStartLock"/> from before its migrations until its seeds are
/// written, so the next one finds the schema migrated and the rows there (EF Core's own migration lock covers the
/// migrations only, and two replicas seeding at once would both add the roles).
/// </summary>
internal sealed class DatabaseInitializer(IServiceScopeFactory scopes, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync(cancellationToken);
        await using var startLock = db is PostgreSqlSplitCcpDbContext ? await PostgreSqlStartLock.TakeAsync(db, logger, cancellationToken) : null;
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (db.Database.GetDbConnection() is SqliteConnection)
            {
                // WAL lets the drift worker write while pages read; the setting is kept in the file.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }

            await db.Database.MigrateAsync(cancellationToken);
            foreach (var seed in services.GetServices<IDatabaseSeed>())
            {
                await seed.SeedAsync(cancellationToken);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Rows the portal needs before it serves a request, written once the schema is up to date.</summary>
public interface IDatabaseSeed
{
    /// <summary>Writes what is missing; writes nothing when it is all there.</summary>
    Task SeedAsync(CancellationToken ct);
}
