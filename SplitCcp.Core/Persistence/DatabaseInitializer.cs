using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// Brings the database up to date before the app serves a request: WAL, migrations, then each <see cref="IDatabaseSeed"/>
/// in the order they were registered (the roles, the bootstrap admin and token).
/// </summary>
internal sealed class DatabaseInitializer(IServiceScopeFactory scopes) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using (var db = await services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync(cancellationToken))
        {
            if (db.Database.GetDbConnection() is SqliteConnection)
            {
                // WAL lets the drift worker write while pages read; the setting is kept in the file.
                await db.Database.OpenConnectionAsync(cancellationToken);
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }

            await db.Database.MigrateAsync(cancellationToken);
        }

        foreach (var seed in services.GetServices<IDatabaseSeed>())
        {
            await seed.SeedAsync(cancellationToken);
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
