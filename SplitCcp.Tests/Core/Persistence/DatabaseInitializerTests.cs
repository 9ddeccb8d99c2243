using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

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

/// <summary>
/// The start on PostgreSQL: a database not created yet is created, replicas starting together take turns under the start
/// lock, and a start that fails reports its own error and leaves the lock to the next one.
/// </summary>
public sealed class PostgreSqlDatabaseInitializerTests
{
    private static readonly string s_connectionStringSetting = $"{StorageOptions.SectionName}:ConnectionString";

    [Fact]
    public async Task StartAsync_EmptyDatabase_MigratesWithoutLoggingAnError()
    {
        // An operator's first start must not say "fail:": EF Core on PostgreSQL reads the migration history before it
        // has made the table, and logs that failed read as an error.
        var log = new WarningLog();

        await using var host = await CoreTestHost.StartAsync(configureServices: services => services.AddSingleton<ILoggerProvider>(log), provider: StorageProvider.PostgreSql);

        (await host.Users.AnyUserExistsAsync()).ShouldBeFalse("the schema is there to be read");
        log.Errors().ShouldBeEmpty();
    }

    [Fact]
    public async Task StartAsync_DatabaseNotCreatedYet_CreatesItMigratesAndSeeds()
    {
        var connectionString = PostgreSqlServer.Shared.ConnectionString($"test_{Guid.NewGuid():N}");
        try
        {
            await using var host = await CoreTestHost.StartAsync(new Dictionary<string, string?> { [s_connectionStringSetting] = connectionString }, provider: StorageProvider.PostgreSql);

            (await QueryAsync(connectionString, "SELECT COUNT(*) FROM \"AspNetRoles\"")).ShouldBe((long)Roles.All.Count);
            (await host.Services.GetRequiredService<StorageProbe>().CheckAsync()).ShouldBeNull("the database that was missing is no storage fault");
        }
        finally
        {
            PostgreSqlServer.Shared.DropDatabase(connectionString);
        }
    }

    [Fact]
    public async Task StartAsync_ReplicasStartingTogetherOnADatabaseNotCreatedYet_AllStartAndMigrateAndSeedItOnce()
    {
        var connectionString = PostgreSqlServer.Shared.ConnectionString($"test_{Guid.NewGuid():N}");
        var settings = new Dictionary<string, string?> { [s_connectionStringSetting] = connectionString };
        var hosts = new List<CoreTestHost>();
        try
        {
            var starts = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                var host = await CoreTestHost.StartAsync(settings, provider: StorageProvider.PostgreSql);
                lock (hosts)
                {
                    hosts.Add(host);
                }
            })).ToList();
            await Task.WhenAll(starts);

            await using var db = await hosts[0].Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync();
            (await QueryAsync(connectionString, "SELECT COUNT(*) FROM \"__EFMigrationsHistory\"")).ShouldBe((long)db.Database.GetMigrations().Count());
            (await QueryAsync(connectionString, "SELECT COUNT(*) FROM \"AspNetRoles\"")).ShouldBe((long)Roles.All.Count);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            PostgreSqlServer.Shared.DropDatabase(connectionString);
        }
    }

    [Fact]
    public async Task StartAsync_SeedFailsAndTheStartLockCannotBeReleased_FailsWithTheSeedsErrorAndTheNextStartTakesTheLock()
    {
        var connectionString = PostgreSqlServer.Shared.CreateDatabase();
        var settings = new Dictionary<string, string?> { [s_connectionStringSetting] = connectionString };
        try
        {
            var failed = await Should.ThrowAsync<InvalidOperationException>(() => CoreTestHost.StartAsync(
                settings, provider: StorageProvider.PostgreSql, configureServices: services => services.AddScoped<IDatabaseSeed, SeedThatCutsTheConnections>()));

            failed.Message.ShouldBe(SeedThatCutsTheConnections.Error);

            // The process of a failed start ends; this one goes on with the ended sessions in its pool, which a new start must not
            // get. The portal's pool is that of the setting with its pool defaults added.
            var portals = new StorageOptions { Provider = nameof(StorageProvider.PostgreSql), ConnectionString = connectionString };
            using (var pooled = new NpgsqlConnection(portals.PostgreSqlConnectionString))
            {
                NpgsqlConnection.ClearPool(pooled);
            }

            await using var next = await CoreTestHost.StartAsync(settings, provider: StorageProvider.PostgreSql).WaitAsync(TimeSpan.FromSeconds(30));
            (await QueryAsync(connectionString, "SELECT COUNT(*) FROM \"AspNetRoles\"")).ShouldBe((long)Roles.All.Count);
        }
        finally
        {
            PostgreSqlServer.Shared.DropDatabase(connectionString);
        }
    }

    private static async Task<object?> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A seed that fails after the server ended every other session on the database, the start's own included.</summary>
    private sealed class SeedThatCutsTheConnections(IOptions<StorageOptions> storage) : IDatabaseSeed
    {
        public const string Error = "The seed failed.";

        public async Task SeedAsync(CancellationToken ct)
        {
            await using (var connection = new NpgsqlConnection(storage.Value.ConnectionString))
            {
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand(
                    "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
                ((long)(await command.ExecuteScalarAsync(ct))!).ShouldBeGreaterThan(0);
            }

            throw new InvalidOperationException(Error);
        }
    }
}
