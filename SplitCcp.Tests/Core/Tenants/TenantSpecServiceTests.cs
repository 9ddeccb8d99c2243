using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Tenants;

/// <summary>Saving a tenant's setup as the wizard does, step by step, against the real service and SQLite.</summary>
public class TenantSpecServiceTests : IAsyncLifetime
{
    public TenantSpecServiceTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the facts run on.</param>
    protected TenantSpecServiceTests(StorageProvider provider)
    {
        Provider = provider;
    }

    /// <summary>The database engine the facts run on.</summary>
    protected StorageProvider Provider { get; }

    private CoreTestHost _host = null!;
    private TestUser _operator = null!;

    private TenantSpecService Specs => _host.Services.GetRequiredService<TenantSpecService>();

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync(provider: Provider);
        _operator = await _host.CreateOperatorAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SaveDraftAsync_CompleteSetupWalkedThroughUnchanged_StaysCompleteAndWritesNoVersion()
    {
        var tenant = await _host.Services.GetRequiredService<DemoTenants>().CreateAsync(_operator.Principal);
        var before = await ReadAsync(tenant);
        var audited = await AuditCountAsync(tenant);

        // Save and continue on every step, as the wizard of a complete setup does.
        for (var step = 1; step <= Enum.GetValues<SpecSection>().Length; step++)
        {
            var saved = (await Specs.SaveDraftAsync(await _host.TenantAsync(_operator.Principal, tenant.Id), Copy(before.Spec), step, before.Version)).ShouldBeOfType<SpecSaveResult.Saved>();
            saved.Record.IsDraft.ShouldBeFalse();
            saved.Record.Version.ShouldBe(before.Version);
        }

        (await Specs.SaveCompleteAsync(await _host.TenantAsync(_operator.Principal, tenant.Id), Copy(before.Spec), before.Version)).ShouldBeOfType<SpecSaveResult.Saved>();

        var after = await ReadAsync(tenant);
        after.IsDraft.ShouldBeFalse();
        after.Version.ShouldBe(before.Version);
        after.UpdatedAt.ShouldBe(before.UpdatedAt);
        (await AuditCountAsync(tenant)).ShouldBe(audited);
    }

    [Fact]
    public async Task SaveDraftAsync_CompleteSetupWithAValueChanged_SavesItCompleteAsOneNewVersion()
    {
        var tenant = await _host.Services.GetRequiredService<DemoTenants>().CreateAsync(_operator.Principal);
        var before = await ReadAsync(tenant);
        var spec = Copy(before.Spec);
        spec.AppStream.Fleet.DesiredCapacity = before.Spec.AppStream.Fleet.DesiredCapacity + 1;

        var saved = (await Specs.SaveDraftAsync(await _host.TenantAsync(_operator.Principal, tenant.Id), spec, 6, before.Version)).ShouldBeOfType<SpecSaveResult.Saved>();

        saved.Record.IsDraft.ShouldBeFalse();
        saved.Record.Version.ShouldBe(before.Version + 1);
        var after = await ReadAsync(tenant);
        after.IsDraft.ShouldBeFalse();
        after.Spec.AppStream.Fleet.DesiredCapacity.ShouldBe(spec.AppStream.Fleet.DesiredCapacity);
        (await LatestAuditAsync(tenant)).ShouldBe((AuditActions.SpecSaved, $"Saved the complete setup (version {before.Version + 1})."));
    }

    [Fact]
    public async Task SaveDraftAsync_CompleteSetupMadeInvalidInALaterStep_IsRefusedAndStaysAsItWas()
    {
        var tenant = await _host.Services.GetRequiredService<DemoTenants>().CreateAsync(_operator.Principal);
        var before = await ReadAsync(tenant);
        var spec = Copy(before.Spec);
        spec.AppStream.Fleet.Name = "not a fleet name!";

        // Saved at the first step: a complete setup stays whole, so the later step's error is found now, not after a downgrade.
        var invalid = (await Specs.SaveDraftAsync(await _host.TenantAsync(_operator.Principal, tenant.Id), spec, 1, before.Version)).ShouldBeOfType<SpecSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldContain("appStream.fleet.name");
        var after = await ReadAsync(tenant);
        after.IsDraft.ShouldBeFalse();
        after.Version.ShouldBe(before.Version);
    }

    [Fact]
    public async Task SaveDraftAsync_DraftSavedAgainAtTheSameStepUnchanged_WritesNoVersion()
    {
        var tenant = await _host.CreateTenantAsync(_operator.Principal, "wingtip");
        var defaults = await ReadAsync(tenant);
        var first = (await Specs.SaveDraftAsync(await _host.TenantAsync(_operator.Principal, tenant.Id), Copy(defaults.Spec), 0, defaults.Version)).ShouldBeOfType<SpecSaveResult.Saved>();

        var again = (await Specs.SaveDraftAsync(await _host.TenantAsync(_operator.Principal, tenant.Id), Copy(defaults.Spec), 0, first.Record.Version)).ShouldBeOfType<SpecSaveResult.Saved>();

        again.Record.Version.ShouldBe(first.Record.Version);
        again.Record.IsDraft.ShouldBeTrue();
        (await ReadAsync(tenant)).Version.ShouldBe(first.Record.Version);
    }

    [Fact]
    public async Task SaveDraftAsync_DraftChanged_WritesANewDraftVersion()
    {
        var tenant = await _host.CreateTenantAsync(_operator.Principal, "wingtip");
        var defaults = await ReadAsync(tenant);
        var first = (await Specs.SaveDraftAsync(await _host.TenantAsync(_operator.Principal, tenant.Id), Copy(defaults.Spec), 0, defaults.Version)).ShouldBeOfType<SpecSaveResult.Saved>();
        var spec = Copy(defaults.Spec);
        spec.Connect.InstanceAlias = "wingtip-ccp";

        var again = (await Specs.SaveDraftAsync(await _host.TenantAsync(_operator.Principal, tenant.Id), spec, 0, first.Record.Version)).ShouldBeOfType<SpecSaveResult.Saved>();

        again.Record.Version.ShouldBe(first.Record.Version + 1);
        again.Record.IsDraft.ShouldBeTrue();
        (await ReadAsync(tenant)).Spec.Connect.InstanceAlias.ShouldBe("wingtip-ccp");
    }

    private async Task<TenantSpecRecord> ReadAsync(TenantView tenant) => (await Specs.GetAsync(await _host.TenantAsync(_operator.Principal, tenant.Id)))!.Value.Record;

    /// <summary>The wizard's own copy of the spec, as it reads it from the stored one.</summary>
    private static TenantSpec Copy(TenantSpec spec) => TenantSpecJson.Parse(TenantSpecJson.Serialize(spec)).Spec!;

    private async Task<int> AuditCountAsync(TenantView tenant)
    {
        await using var db = await _host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync();
        return await db.Audit.CountAsync(a => a.TenantId == tenant.Id);
    }

    private async Task<(string Action, string Summary)> LatestAuditAsync(TenantView tenant)
    {
        await using var db = await _host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync();
        var latest = await db.Audit.Where(a => a.TenantId == tenant.Id).OrderByDescending(a => a.Id).FirstAsync();
        return (latest.Action, latest.Summary);
    }
}

/// <summary>The same facts on PostgreSQL.</summary>
public sealed class PostgreSqlTenantSpecServiceTests() : TenantSpecServiceTests(StorageProvider.PostgreSql);
