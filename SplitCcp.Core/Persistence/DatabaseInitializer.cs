using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SplitCcp.Core.Security;

namespace SplitCcp.Core.Persistence;

/// <summary>Brings the database up to date before the app serves a request: migrations, WAL, roles, and the bootstrap admin and token.</summary>
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

        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        await services.GetRequiredService<Bootstrapper>().RunAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

}
