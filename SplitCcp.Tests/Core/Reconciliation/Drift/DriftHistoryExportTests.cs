using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Reconciliation.Drift;

/// <summary>A tenant's drift history for its CSV export: every entry kept, newest first, without the resources the file has no column for.</summary>
public class DriftHistoryExportTests : IAsyncLifetime
{
    public DriftHistoryExportTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the facts run on.</param>
    protected DriftHistoryExportTests(StorageProvider provider)
    {
        Provider = provider;
    }

    /// <summary>The database engine the facts run on.</summary>
    protected StorageProvider Provider { get; }

    private CoreTestHost _host = null!;
    private AuthorizedTenant _tenant = null!;

    private DriftService Drift => _host.Services.GetRequiredService<DriftService>();

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync(provider: Provider);
        var op = await _host.CreateOperatorAsync();
        _tenant = await _host.TenantAsync(op.Principal, (await _host.CreateTenantAsync(op.Principal, "acme")).Id);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ExportHistoryAsync_EveryEntryNewestFirst_WithoutReadingTheResources()
    {
        var count = DriftService.MaxHistory + 5;
        await AddHistoryAsync(count);
        IReadOnlyList<DriftHistoryEntry> exported = [];

        var commands = await DbCommandRecorder.RecordAsync(async () => exported = await Drift.ExportHistoryAsync(_tenant));

        exported.Count.ShouldBe(count, "the whole history kept, not the API's most");
        exported.Select(e => e.FirstCheckedAt).ShouldBe(exported.Select(e => e.FirstCheckedAt).OrderDescending());
        exported.ShouldAllBe(e => e.Resources.Count == 0);
        var shown = await Drift.GetHistoryAsync(_tenant, DriftService.MaxHistory);
        shown[0].Resources.ShouldHaveSingleItem().Key.ShouldBe("hosting/bucket", "the API's history has them");
        exported.Take(shown.Count).ShouldBe(shown.Select(e => e with { Resources = Array.Empty<DriftResource>() }));
        commands.ShouldNotBeEmpty("the recorder saw nothing");
        commands.ShouldAllBe(c => !c.Contains("ResourcesJson"), string.Join("\n---\n", commands));
    }

    /// <summary>Entries that alternate between drifted and healthy, a minute apart, each with a resource.</summary>
    private async Task AddHistoryAsync(int count)
    {
        var start = CoreTestHost.StartTime.UtcDateTime;
        await using var db = await _host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync();
        db.DriftReports.AddRange(Enumerable.Range(0, count).Select(i =>
        {
            var drifted = i % 2 == 0;
            var resource = new DriftResource("hosting/bucket", "Bucket", drifted ? DriftState.Drifted : DriftState.InSync, [], null);
            return new DriftReport
            {
                Id = Guid.NewGuid(),
                TenantId = _tenant.TenantId,
                Status = drifted ? TenantHealthStatus.Drifted : TenantHealthStatus.Healthy,
                FirstCheckedAt = start.AddMinutes(i),
                LastCheckedAt = start.AddMinutes(i).AddSeconds(30),
                Checks = 2,
                DriftedCount = drifted ? 1 : 0,
                Message = drifted ? null : $"check {i}",
                ResourcesJson = JsonSerializer.Serialize(new[] { resource }, DriftChecker.Json),
                Fingerprint = $"{i}",
            };
        }));
        await db.SaveChangesAsync();
    }
}

/// <summary>The same facts on PostgreSQL.</summary>
public sealed class PostgreSqlDriftHistoryExportTests() : DriftHistoryExportTests(StorageProvider.PostgreSql);
