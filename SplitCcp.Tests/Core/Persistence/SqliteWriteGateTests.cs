using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Core.Persistence;

public sealed class SqliteWriteGateTests
{
    [Fact]
    public async Task SaveChangesAsync_WhileAnotherSaveHoldsTheWriteLock_WaitsItsTurnWithoutHoldingTheCaller()
    {
        await using var host = await CoreTestHost.StartAsync();
        var tenant = await host.CreateTenantAsync((await host.CreateOperatorAsync()).Principal, "acme");
        var blocker = new FirstInsertBlocker();

        // A short busy timeout: without the gate the second save would sleep on SQLite's lock for this long, then fail.
        var connectionString = $"{host.ConnectionString};Default Timeout=3";
        await using var first = new SqliteSplitCcpDbContext(new DbContextOptionsBuilder<SqliteSplitCcpDbContext>().UseSqlite(connectionString).AddInterceptors(blocker).Options);
        await using var second = new SqliteSplitCcpDbContext(new DbContextOptionsBuilder<SqliteSplitCcpDbContext>().UseSqlite(connectionString).Options);
        first.SandboxObjects.AddRange(Row(tenant.Id, "a"), Row(tenant.Id, "b"));
        second.SandboxObjects.Add(Row(tenant.Id, "c"));

        var firstSave = Task.Run(() => first.SaveChangesAsync());
        await blocker.Holding.WaitAsync(TimeSpan.FromSeconds(30));
        var secondSave = second.SaveChangesAsync();
        var waiting = !secondSave.IsCompleted;
        blocker.Release();

        waiting.ShouldBeTrue("the second save must wait for its turn, not sleep on SQLite's busy lock");
        (await firstSave.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(2);
        (await secondSave.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(1);
        (await host.QueryScalarAsync("SELECT COUNT(*) FROM SandboxObjects WHERE Kind = 'test'")).ShouldBe(3L);
    }

    [Fact]
    public async Task SaveChangesAsync_WithNothingToWrite_DoesNotQueueBehindAWriter()
    {
        await using var host = await CoreTestHost.StartAsync();
        var tenant = await host.CreateTenantAsync((await host.CreateOperatorAsync()).Principal, "acme");
        var blocker = new FirstInsertBlocker();
        await using var writer = new SqliteSplitCcpDbContext(new DbContextOptionsBuilder<SqliteSplitCcpDbContext>().UseSqlite(host.ConnectionString).AddInterceptors(blocker).Options);
        await using var reader = new SqliteSplitCcpDbContext(new DbContextOptionsBuilder<SqliteSplitCcpDbContext>().UseSqlite(host.ConnectionString).Options);
        writer.SandboxObjects.AddRange(Row(tenant.Id, "a"), Row(tenant.Id, "b"));

        var write = Task.Run(() => writer.SaveChangesAsync());
        await blocker.Holding.WaitAsync(TimeSpan.FromSeconds(30));
        await reader.Tenants.AsTracking().SingleAsync(t => t.Id == tenant.Id);
        var read = reader.SaveChangesAsync();
        var done = read.IsCompletedSuccessfully;
        blocker.Release();
        await write.WaitAsync(TimeSpan.FromSeconds(30));

        done.ShouldBeTrue();
        (await read).ShouldBe(0);
    }

    [Fact]
    public async Task WriteAsync_ABulkDeleteWhileASaveHoldsTheWriteLock_WaitsItsTurn()
    {
        await using var host = await CoreTestHost.StartAsync();
        var tenant = await host.CreateTenantAsync((await host.CreateOperatorAsync()).Principal, "acme");
        var blocker = new FirstInsertBlocker();
        var connectionString = $"{host.ConnectionString};Default Timeout=3";
        await using var writer = new SqliteSplitCcpDbContext(new DbContextOptionsBuilder<SqliteSplitCcpDbContext>().UseSqlite(connectionString).AddInterceptors(blocker).Options);
        await using var bulk = new SqliteSplitCcpDbContext(new DbContextOptionsBuilder<SqliteSplitCcpDbContext>().UseSqlite(connectionString).Options);
        writer.SandboxObjects.AddRange(Row(tenant.Id, "a"), Row(tenant.Id, "b"));

        var write = Task.Run(() => writer.SaveChangesAsync());
        await blocker.Holding.WaitAsync(TimeSpan.FromSeconds(30));
        var delete = bulk.WriteAsync(token => bulk.SandboxObjects.Where(o => o.Kind == "test").ExecuteDeleteAsync(token));
        await Task.Delay(200);
        var waiting = !delete.IsCompleted;
        blocker.Release();

        waiting.ShouldBeTrue("a bulk write must queue behind the save like any other writer");
        (await write.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(2);
        (await delete.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(2, "it ran after the save, so it deleted what the save wrote");
    }

    [Fact]
    public async Task WriteAsync_ATransactionOfABulkWriteAndASave_PassesTheGateOnceAndCommitsBoth()
    {
        await using var host = await CoreTestHost.StartAsync();
        var tenant = await host.CreateTenantAsync((await host.CreateOperatorAsync()).Principal, "acme");
        await using var db = new SqliteSplitCcpDbContext(new DbContextOptionsBuilder<SqliteSplitCcpDbContext>().UseSqlite(host.ConnectionString).Options);
        db.SandboxObjects.Add(Row(tenant.Id, "a"));

        var written = db.WriteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var renamed = await db.WriteAsync(inner => db.Tenants.Where(t => t.Id == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.DisplayName, "Acme Ltd"), inner), token);
            var saved = await db.SaveChangesAsync(token);
            await transaction.CommitAsync(token);
            return renamed + saved;
        });

        (await written.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe(2, "the writes inside do not wait for the gate their own call holds");
        (await host.QueryScalarAsync("SELECT COUNT(*) FROM SandboxObjects WHERE Kind = 'test'")).ShouldBe(1L);
        (await host.QueryScalarAsync("SELECT COUNT(*) FROM Tenants WHERE DisplayName = 'Acme Ltd'")).ShouldBe(1L);
    }

    [Fact]
    public void Every_bulk_write_in_the_portal_goes_through_the_write_gate()
    {
        var ungated = CoreSources.Files()
            .SelectMany(f => BulkWritesOutsideTheGate(File.ReadAllText(f)).Select(line => $"{Path.GetRelativePath(CoreSources.Root, f)}: {line}"))
            .ToList();

        ungated.ShouldBeEmpty("ExecuteUpdateAsync and ExecuteDeleteAsync must run inside SplitCcpDbContext.WriteAsync");
    }

    /// <summary>Each ExecuteUpdateAsync/ExecuteDeleteAsync call whose statement does not begin inside a WriteAsync(...) call.</summary>
    private static IEnumerable<string> BulkWritesOutsideTheGate(string source)
    {
        foreach (System.Text.RegularExpressions.Match call in System.Text.RegularExpressions.Regex.Matches(source, @"\.Execute(Update|Delete)Async\("))
        {
            var statementStart = source.LastIndexOf(';', call.Index) + 1;
            var statement = source[statementStart..call.Index];
            if (!statement.Contains("WriteAsync(", StringComparison.Ordinal))
            {
                yield return statement.Trim().Split('\n')[0];
            }
        }
    }

    private static SandboxObject Row(Guid tenantId, string id) =>
        new() { TenantId = tenantId, Kind = "test", Id = id, Json = "{}", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };

    /// <summary>Holds the first INSERT, inside its save's write transaction, until released.</summary>
    private sealed class FirstInsertBlocker : DbCommandInterceptor
    {
        private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _seen;

        public Task Holding => _holding.Task;

        public void Release() => _release.TrySetResult();

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("INSERT", StringComparison.Ordinal) && Interlocked.Exchange(ref _seen, 1) == 0)
            {
                _holding.TrySetResult();
                await _release.Task;
            }

            return result;
        }
    }
}
