using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SplitCcp.Core.Persistence;
using SplitCcp.Web.Health;

namespace SplitCcp.Tests.Web.Health;

public sealed class DatabaseReadyHealthCheckTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("splitccp-ready-").FullName;

    [Fact]
    public async Task CheckHealthAsync_DatabaseNotMigrated_CountsTheMigrationsLeftInWords()
    {
        var options = new DbContextOptionsBuilder<SqliteSplitCcpDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_folder, "empty.db")};Pooling=False").Options;
        int migrations;
        await using (var db = new SqliteSplitCcpDbContext(options))
        {
            await db.Database.OpenConnectionAsync();
            migrations = db.Database.GetMigrations().Count();
        }

        var result = await new DatabaseReadyHealthCheck(new SplitCcpDbContextFactory<SqliteSplitCcpDbContext>(new PooledDbContextFactory<SqliteSplitCcpDbContext>(options))).CheckHealthAsync(new HealthCheckContext());

        migrations.ShouldBeGreaterThan(1);
        result.Status.ShouldBe(HealthStatus.Unhealthy);
        result.Description.ShouldBe($"{migrations} database migrations not applied yet.");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
