using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Tests.Core.Persistence;

public sealed class DatabaseInitializerTests
{
    [Fact]
    public async Task StartAsync_EmptyFile_AppliesMigrationsCreatesRolesAndUsesWal()
    {
        await using var host = await CoreTestHost.StartAsync();

        var migrations = typeof(SplitCcp.Core.Persistence.SplitCcpDbContext).Assembly.GetTypes()
            .Count(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).Length > 0
            && t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute), false)
                .Cast<Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute>().Single().ContextType == typeof(SplitCcp.Core.Persistence.SqliteSplitCcpDbContext));
        migrations.ShouldBeGreaterThan(0);
        (await host.QueryScalarAsync("SELECT COUNT(*) FROM __EFMigrationsHistory")).ShouldBe((long)migrations, "every migration in the assembly is applied");
        (await host.QueryScalarAsync("SELECT group_concat(Name, ',') FROM (SELECT Name FROM AspNetRoles ORDER BY Name)"))
            .ShouldBe(string.Join(',', Roles.All.Order(StringComparer.Ordinal)));
        (await host.QueryScalarAsync("PRAGMA journal_mode")).ShouldBe("wal");
        (await host.QueryScalarAsync("PRAGMA foreign_keys")).ShouldBe(1L);
        (await host.Users.AnyUserExistsAsync()).ShouldBeFalse();
    }

    [Fact]
    public void EachEngine_ModelHasNoChangeMissingFromItsMigrations()
    {
        using var sqlite = new SqliteDesignTimeDbContextFactory().CreateDbContext([]);
        using var postgreSql = new PostgreSqlDesignTimeDbContextFactory().CreateDbContext([]);

        sqlite.Database.HasPendingModelChanges().ShouldBeFalse("the SQLite model differs from its last migration's snapshot");
        postgreSql.Database.HasPendingModelChanges().ShouldBeFalse("the PostgreSQL model differs from its last migration's snapshot");
    }

    [Fact]
    public void EveryMigration_BelongsToOneEngine()
    {
        // A migration generated before the model had a context per engine names SplitCcpDbContext, and no engine would apply it.
        var contexts = typeof(SplitCcp.Core.Persistence.SplitCcpDbContext).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).Length > 0
                || t.IsSubclassOf(typeof(Microsoft.EntityFrameworkCore.Infrastructure.ModelSnapshot)))
            .Select(t => (Type: t.Name, System.Reflection.CustomAttributeExtensions.GetCustomAttribute<Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute>(t)!.ContextType))
            .ToList();

        contexts.ShouldNotBeEmpty();
        contexts.Where(c => c.ContextType != typeof(SplitCcp.Core.Persistence.SqliteSplitCcpDbContext) && c.ContextType != typeof(SplitCcp.Core.Persistence.PostgreSqlSplitCcpDbContext))
            .ShouldBeEmpty("a migration's [DbContext] must name SqliteSplitCcpDbContext or PostgreSqlSplitCcpDbContext");
    }
}

