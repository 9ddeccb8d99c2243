using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Core.Persistence;

/// <summary>
/// The provider setting, and what is SQLite's alone: on PostgreSQL no data folder lock, no write gate, and the server's own
/// errors read as the same storage faults an operator sees on SQLite.
/// </summary>
public sealed class PostgreSqlStorageTests
{
    [Theory]
    [InlineData("Sqlite", null, null)]
    [InlineData("postgresql", "Host=db", null)]
    [InlineData("MySql", null, "SplitCcp:Storage:Provider must be Sqlite or PostgreSql, not 'MySql'.")]
    [InlineData("PostgreSql", null, "SplitCcp:Storage:Provider PostgreSql needs SplitCcp:Storage:ConnectionString")]
    public void Validate_Provider_NamesAnEngineAndPostgreSqlNeedsAConnectionString(string provider, string? connectionString, string? error)
    {
        var options = new StorageOptions { Provider = provider, ConnectionString = connectionString };
        var results = new List<ValidationResult>();

        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);

        if (error is null)
        {
            results.ShouldBeEmpty();
        }
        else
        {
            results.ShouldHaveSingleItem().ErrorMessage.ShouldStartWith(error);
        }
    }

    [Theory]
    [InlineData("Host=db;Database=splitccp", 256, true)]
    [InlineData("Host=db;Database=splitccp;Max Auto Prepare=0", 0, true)]
    [InlineData("Host=db;Database=splitccp;max auto prepare=20;No Reset On Close=false", 20, false)]
    public void ResolveConnectionString_OnPostgreSql_PreparesRepeatedStatementsAndSkipsResetsUnlessTheOperatorSetsThem(string connectionString, int maxAutoPrepare, bool noResetOnClose)
    {
        var options = new StorageOptions { Provider = "PostgreSql", ConnectionString = connectionString };

        var resolved = new NpgsqlConnectionStringBuilder(options.ResolveConnectionString(Path.GetTempPath()));

        resolved.MaxAutoPrepare.ShouldBe(maxAutoPrepare);
        resolved.NoResetOnClose.ShouldBe(noResetOnClose);
        resolved.Host.ShouldBe("db");
        resolved.Database.ShouldBe("splitccp");
    }

    [Fact]
    public async Task Queries_RepeatedOnOneConnection_ArePreparedOnTheServer()
    {
        await using var host = await CoreTestHost.StartAsync(provider: StorageProvider.PostgreSql);
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var tenantId = Guid.NewGuid();

        for (var i = 0; i < 6; i++)
        {
            (await db.Tenants.AnyAsync(t => t.Id == tenantId)).ShouldBeFalse();
        }

        var prepared = await db.Database.SqlQueryRaw<string>("SELECT statement AS \"Value\" FROM pg_prepared_statements").ToListAsync();
        prepared.ShouldContain(s => s.Contains("\"Tenants\"", StringComparison.Ordinal), "parsed and planned once, not on every call");
    }

    [Fact]
    public async Task Host_OnPostgreSql_TakesNoDataFolderLockAndNoWriteGate()
    {
        await using var host = await CoreTestHost.StartAsync(provider: StorageProvider.PostgreSql);
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync();

        db.ShouldBeOfType<PostgreSqlSplitCcpDbContext>();
        host.Services.GetRequiredService<DataFolderLock>().TryAcquire().ShouldBeNull();
        Directory.EnumerateFiles(host.Folder, "*", SearchOption.AllDirectories).ShouldBeEmpty("no SQLite file, no lock file");
        (await host.Services.GetRequiredService<DatabaseIntegrity>().FindDamageAsync()).ShouldBeNull();
        (await host.Services.GetRequiredService<StorageProbe>().CheckAsync()).ShouldBeNull();
    }

    [Fact]
    public async Task From_ReadOnlyTransactionOnTheServer_IsReadOnlyOnTheServer()
    {
        await using var host = await CoreTestHost.StartAsync(provider: StorageProvider.PostgreSql);
        await using var connection = new NpgsqlConnection(host.ConnectionString);
        await connection.OpenAsync();
        await using (var readOnly = new NpgsqlCommand("SET default_transaction_read_only = on;", connection))
        {
            await readOnly.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand("CREATE TABLE refused (id int);", connection);

        var fault = StorageFault.From(await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync()));

        fault.ShouldNotBeNull();
        fault.Kind.ShouldBe(StorageFaultKind.ReadOnly);
        fault.OnServer.ShouldBeTrue();
        fault.Cause.ShouldStartWith("25006");
        fault.Title.ShouldBe("The PostgreSQL server takes no writes: the portal cannot save.");
    }

    [Fact]
    public async Task From_ConnectionEndedByTheServer_CannotOpen()
    {
        await using var host = await CoreTestHost.StartAsync(provider: StorageProvider.PostgreSql);
        await using var connection = new NpgsqlConnection(host.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_terminate_backend(pg_backend_pid());", connection);

        var fault = StorageFault.From(await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync()));

        fault.ShouldNotBeNull();
        fault.Kind.ShouldBe(StorageFaultKind.CannotOpen);
        fault.Cause.ShouldStartWith("57P01");
    }

    [Fact]
    public async Task From_NoServerListening_CannotOpen()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=nobody;Database=nothing;Pooling=false");

        var fault = StorageFault.From(await Should.ThrowAsync<NpgsqlException>(() => connection.OpenAsync()));

        fault.ShouldNotBeNull();
        fault.Kind.ShouldBe(StorageFaultKind.CannotOpen);
        fault.Reason.ShouldContain("the PostgreSQL server cannot be reached");
    }

    [Fact]
    public async Task FromFailedOpen_AServerThatNeverAnswers_CannotOpen()
    {
        // Accepts the connection and says nothing, as a host behind a network that drops packets: the connect times out.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=nobody;Database=nothing;Pooling=false;Timeout=1");

        var thrown = await Should.ThrowAsync<NpgsqlException>(() => connection.OpenAsync());

        // Read as any command's error, a timeout is none (a slow query is not a storage fault): the failed open must say more.
        StorageFault.From(thrown).ShouldBeNull();
        var fault = StorageFault.FromFailedOpen(thrown);
        fault.ShouldNotBeNull(thrown.ToString());
        fault.Kind.ShouldBe(StorageFaultKind.CannotOpen);
        fault.Reason.ShouldContain("the PostgreSQL server cannot be reached");
    }

    [Theory]
    [InlineData(PostgresErrorCodes.DiskFull, StorageFaultKind.DiskFull)]
    [InlineData(PostgresErrorCodes.IoError, StorageFaultKind.DiskError)]
    [InlineData(PostgresErrorCodes.CannotConnectNow, StorageFaultKind.CannotOpen)]
    [InlineData(PostgresErrorCodes.ConnectionFailure, StorageFaultKind.CannotOpen)]
    [InlineData(PostgresErrorCodes.UniqueViolation, null)]
    [InlineData(PostgresErrorCodes.SerializationFailure, null)]
    public void KindOf_SqlState_IsAStorageFaultOnlyForTheServersStorageOrAvailability(string sqlState, StorageFaultKind? kind) =>
        StorageFault.KindOf(sqlState).ShouldBe(kind);
}
