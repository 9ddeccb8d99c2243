using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Tests.Core.Reconciliation;

namespace SplitCcp.Tests.Core.Persistence;

[Collection(RealTimeTests.Name)]
public sealed class DriftInLineMigrationTests
{
    private const string MigrationBefore = "20261125002549_DriftReports";

    [Fact]
    public async Task A_tenant_checked_before_the_upgrade_keeps_what_it_had_in_line_so_its_drift_stays_drift()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        var drift = host.Services.GetRequiredService<DriftService>();
        (await drift.CheckNowAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldBeOfType<CheckResult.Checked>().Report.Status.ShouldBe(TenantHealthStatus.Healthy);

        var factory = host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(MigrationBefore);
            await migrator.MigrateAsync();
        }

        await using (var db = await factory.CreateDbContextAsync())
        {
            var inLine = (await db.TenantDrift.SingleAsync(d => d.TenantId == tenant.Id)).InLine;
            inLine.ShouldContain(ResourceKeys.BucketPolicy, "an apply step made it");
            inLine.ShouldContain(ResourceKeys.IdentityCenterApplication, "a check found it in sync; no apply step made it");
            inLine.ShouldContain(SyntheticChecks.AudioOnlyPageKey);
            inLine.ShouldBe(inLine.Distinct().Order(StringComparer.Ordinal).ToList());
        }

        (await host.Services.GetRequiredService<SandboxChanges>().ApplyAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id),
            new SandboxChangeRequest(ResourceKeys.IdentityCenterApplication, SandboxChangeKind.Delete))).ShouldBeOfType<SandboxChangeResult.Done>();
        var report = (await drift.CheckNowAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldBeOfType<CheckResult.Checked>().Report;
        report.Status.ShouldBe(TenantHealthStatus.Drifted);
    }
}
