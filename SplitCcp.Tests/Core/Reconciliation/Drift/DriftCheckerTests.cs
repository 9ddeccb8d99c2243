using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Core.Sandbox;

namespace SplitCcp.Tests.Core.Reconciliation.Drift;

[Collection(RealTimeTests.Name)]
public class DriftCheckerTests
{
    public DriftCheckerTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the facts run on.</param>
    protected DriftCheckerTests(StorageProvider provider)
    {
        Provider = provider;
    }

    /// <summary>The database engine the facts run on.</summary>
    protected StorageProvider Provider { get; }

    [Fact]
    public async Task A_converged_tenant_is_healthy_and_repeated_identical_checks_extend_one_history_entry()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);

        var first = await CheckAsync(host, tenant.Id);
        var second = await CheckAsync(host, tenant.Id);

        first.Status.ShouldBe(TenantHealthStatus.Healthy, string.Join("; ", first.Resources.Where(r => r.State != DriftState.InSync).Select(r => $"{r.Key} {r.State} {r.Message}")));
        first.Resources.ShouldNotBeEmpty();
        first.Resources.ShouldAllBe(r => r.State == DriftState.InSync);
        second.Status.ShouldBe(TenantHealthStatus.Healthy);
        var history = await Drift(host).GetHistoryAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id));
        var entry = history.ShouldHaveSingleItem();
        entry.Checks.ShouldBe(2);
        entry.Status.ShouldBe(TenantHealthStatus.Healthy);
        entry.LastCheckedAt.ShouldBeGreaterThanOrEqualTo(entry.FirstCheckedAt);
    }

    [Fact]
    public async Task An_altered_field_is_drifted_with_expected_and_actual_and_a_deleted_resource_is_missing()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        await CheckAsync(host, tenant.Id);

        await TamperAsync(host, tenant.Id, new SandboxChangeRequest(ResourceKeys.Fleet, SandboxChangeKind.Alter, "desiredCapacity", "7"));
        await TamperAsync(host, tenant.Id, new SandboxChangeRequest(ResourceKeys.BucketPolicy, SandboxChangeKind.Delete));
        var report = await CheckAsync(host, tenant.Id);

        report.Status.ShouldBe(TenantHealthStatus.Drifted);
        var fleet = report.Resources.Single(r => r.Key == ResourceKeys.Fleet);
        fleet.State.ShouldBe(DriftState.Drifted);
        fleet.Changes.ShouldContain(new FieldChange("desiredCapacity", "2", "7"));
        report.Resources.Single(r => r.Key == ResourceKeys.BucketPolicy).State.ShouldBe(DriftState.Missing);
        report.Resources.Where(r => r.State != DriftState.InSync && !r.Key.StartsWith("check/", StringComparison.Ordinal)).Select(r => r.Key)
            .ShouldBe([ResourceKeys.BucketPolicy, ResourceKeys.Fleet], ignoreOrder: true);
        report.Resources.Single(r => r.Key == SyntheticChecks.AudioOnlyPageKey).State.ShouldBe(DriftState.Drifted, "without the policy agents are refused the page");

        var stored = await Drift(host).GetHealthAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id));
        stored.ShouldNotBeNull().Status.ShouldBe(TenantHealthStatus.Drifted);
        stored.Resources.Single(r => r.Key == ResourceKeys.Fleet).Changes.ShouldContain(new FieldChange("desiredCapacity", "2", "7"));
        var history = await Drift(host).GetHistoryAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id));
        history.ShouldNotBeNull().Select(h => h.Status).ShouldBe([TenantHealthStatus.Drifted, TenantHealthStatus.Healthy]);
    }

    [Fact]
    public async Task Auto_remediation_applies_the_setup_when_drift_is_found_and_the_audit_says_so()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        (await Drift(host).SetAutoRemediateAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), true)).ShouldBe(TenantAccessResult.Allowed);
        await TamperAsync(host, tenant.Id, new SandboxChangeRequest(ResourceKeys.BucketPolicy, SandboxChangeKind.Delete));

        var drifted = await CheckAsync(host, tenant.Id);
        drifted.Status.ShouldBe(TenantHealthStatus.Drifted);
        drifted.AutoRemediate.ShouldBeTrue();
        var apply = (await host.Reconciliation.ListAppliesAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldNotBeNull()[0];
        apply.RequestedBy.ShouldBe("drift worker (auto-remediation)");
        (await host.WaitAsync(tenant.Id, apply.Id)).State.ShouldBe(ApplyState.Succeeded);

        (await CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Healthy);
        var audit = await host.AuditAsync(tenant.Id);
        audit.ShouldContain(a => a.Action == AuditActions.DriftSettingsChanged && a.Actor == host.Operator.Id);
        audit.ShouldContain(a => a.Action == AuditActions.ApplyRequested && a.Actor == "drift worker (auto-remediation)" && a.Summary.Contains("S3 bucket policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task When_an_apply_finishes_the_tenant_is_checked_again_without_waiting_for_the_next_pass()
    {
        await using var host = await ReconciliationTestHost.StartAsync(extraSettings: new Dictionary<string, string?>
        {
            ["SplitCcp:Drift:Enabled"] = "true",
            ["SplitCcp:Drift:Interval"] = "01:00:00",
        }, provider: Provider);
        var worker = host.Services.GetRequiredService<DriftWorker>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (worker.LastPass is null)
        {
            await Task.Delay(10, deadline.Token);
        }

        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);

        TenantHealthReport? report;
        while ((report = await Drift(host).GetHealthAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), deadline.Token))!.Status != TenantHealthStatus.Healthy)
        {
            await Task.Delay(20, deadline.Token);
        }

        report.CheckedAt.ShouldNotBeNull();
        worker.LastPass.ShouldNotBeNull().Tenants.ShouldBe(0, "the only pass ran at start, before the tenant existed");
    }

    [Fact]
    public async Task Without_auto_remediation_a_check_applies_nothing()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        await TamperAsync(host, tenant.Id, new SandboxChangeRequest(ResourceKeys.BucketPolicy, SandboxChangeKind.Delete));
        var before = await host.CountObjectsAsync(tenant.Id);
        var applies = (await host.Reconciliation.ListAppliesAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldNotBeNull().Count;

        var report = await CheckAsync(host, tenant.Id);

        report.Status.ShouldBe(TenantHealthStatus.Drifted);
        report.Resources.Single(r => r.Key == ResourceKeys.BucketPolicy).State.ShouldBe(DriftState.Missing);
        (await host.Reconciliation.ListAppliesAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldNotBeNull().Count.ShouldBe(applies);
        (await host.CountObjectsAsync(tenant.Id)).ShouldBe(before);
    }

    [Fact]
    public async Task A_setup_never_applied_is_pending_with_what_is_left_not_drifted()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        var plan = await host.PlanAsync(tenant.Id);

        var report = await CheckAsync(host, tenant.Id);

        report.Status.ShouldBe(TenantHealthStatus.Pending);
        report.Resources.ShouldNotContain(r => r.State == DriftState.Drifted || r.State == DriftState.Missing);
        report.Resources.Single(r => r.Key == ResourceKeys.ConnectInstance).State.ShouldBe(DriftState.Pending);
        report.Message.ShouldBe($"1 console step left; {plan.Count(PlanAction.Create) + plan.Count(PlanAction.Update)} changes to apply");
        report.DriftedCount.ShouldBe(0);
    }

    [Fact]
    public async Task A_hand_built_tenant_is_pending_between_its_applies_and_healthy_once_they_and_its_console_steps_are_done()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await SandboxChangesTests.CreateHandBuiltAsync(host);
        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);

        var afterFirst = await CheckAsync(host, tenant.Id);

        afterFirst.Status.ShouldBe(TenantHealthStatus.Pending, Describe(afterFirst));
        afterFirst.Message.ShouldBe("2 console steps left");
        afterFirst.Resources.Single(r => r.Key == ResourceKeys.IdentityCenterApplication).State.ShouldBe(DriftState.Pending);
        afterFirst.Resources.ShouldNotContain(r => r.State == DriftState.Drifted || r.State == DriftState.Missing, Describe(afterFirst));
        var stored = await Drift(host).GetHealthAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id));
        stored.ShouldNotBeNull().Status.ShouldBe(TenantHealthStatus.Pending);
        stored.Message.ShouldBe("2 console steps left");

        await SandboxChangesTests.CompleteAsync(host, tenant.Id, ResourceKeys.IdentityCenterApplication);
        await SandboxChangesTests.CompleteAsync(host, tenant.Id, ResourceKeys.Image);
        var plan = await host.PlanAsync(tenant.Id);
        var afterSteps = await CheckAsync(host, tenant.Id);

        afterSteps.Status.ShouldBe(TenantHealthStatus.Pending, Describe(afterSteps));
        afterSteps.Message.ShouldBe($"{plan.Count(PlanAction.Create) + plan.Count(PlanAction.Update)} changes to apply");
        afterSteps.Resources.Single(r => r.Key == ResourceKeys.SamlProvider).State.ShouldBe(DriftState.Pending);
        afterSteps.Resources.Single(r => r.Key == ResourceKeys.FederationRole).State.ShouldBe(DriftState.Pending);

        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);
        var last = await CheckAsync(host, tenant.Id);
        last.Status.ShouldBe(TenantHealthStatus.Healthy, Describe(last));
        last.Message.ShouldBeNull();
    }

    [Fact]
    public async Task A_resource_deleted_after_the_tenant_was_healthy_is_drifted_not_pending()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await SandboxChangesTests.CreateHandBuiltAsync(host);
        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);
        await SandboxChangesTests.CompleteAsync(host, tenant.Id, ResourceKeys.IdentityCenterApplication);
        await SandboxChangesTests.CompleteAsync(host, tenant.Id, ResourceKeys.Image);
        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);
        var healthy = await CheckAsync(host, tenant.Id);
        healthy.Status.ShouldBe(TenantHealthStatus.Healthy, Describe(healthy));

        await TamperAsync(host, tenant.Id, new SandboxChangeRequest(ResourceKeys.SamlProvider, SandboxChangeKind.Delete));
        var report = await CheckAsync(host, tenant.Id);

        report.Status.ShouldBe(TenantHealthStatus.Drifted);
        report.Resources.Single(r => r.Key == ResourceKeys.SamlProvider).State.ShouldBe(DriftState.Missing);
        report.Message.ShouldBeNull();
        report.PendingCount.ShouldBe(0, "everything had been in line");
    }

    [Fact]
    public async Task A_resource_an_apply_made_and_the_console_then_deleted_is_drifted_though_no_check_ran_between()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);

        await TamperAsync(host, tenant.Id, new SandboxChangeRequest(ResourceKeys.FederationRole, SandboxChangeKind.Delete));
        var report = await CheckAsync(host, tenant.Id);

        report.Status.ShouldBe(TenantHealthStatus.Drifted, Describe(report));
        report.Resources.Single(r => r.Key == ResourceKeys.FederationRole).State.ShouldBe(DriftState.Missing);
    }

    [Fact]
    public async Task A_pending_tenant_with_auto_remediation_is_not_applied_for_its_console_steps()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await SandboxChangesTests.CreateHandBuiltAsync(host);
        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);
        (await Drift(host).SetAutoRemediateAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), true)).ShouldBe(TenantAccessResult.Allowed);

        var report = await CheckAsync(host, tenant.Id);

        report.Status.ShouldBe(TenantHealthStatus.Pending);
        (await host.Reconciliation.ListAppliesAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldNotBeNull().Count.ShouldBe(1);
        (await host.AuditAsync(tenant.Id)).ShouldNotContain(a => a.Action == AuditActions.DriftRemediation);
    }

    [Theory]
    [InlineData(1, 0, "1 console step left")]
    [InlineData(2, 0, "2 console steps left")]
    [InlineData(0, 1, "1 change to apply")]
    [InlineData(0, 3, "3 changes to apply")]
    [InlineData(1, 2, "1 console step left; 2 changes to apply")]
    public void The_pending_summary_counts_console_steps_and_changes_in_words(int consoleSteps, int changes, string expected)
    {
        var items = Enumerable.Range(0, consoleSteps).Select(n => Item($"manual/{n}", PlanAction.Manual))
            .Concat(Enumerable.Range(0, changes).Select(n => Item($"create/{n}", PlanAction.Create)))
            .ToList();
        var plan = new Plan(Guid.NewGuid(), DateTimeOffset.UnixEpoch, items);

        var verdict = HealthVerdict.Judge(plan, [.. items.Select(DriftChecker.ToResource)], new HashSet<string>());

        verdict.Status.ShouldBe(TenantHealthStatus.Pending);
        verdict.Message.ShouldBe(expected);
    }

    [Fact]
    public void A_synthetic_check_that_was_not_run_leaves_a_tenant_in_line_healthy_but_a_resource_the_setup_cannot_reach_yet_is_pending()
    {
        var inSync = Item(ResourceKeys.Bucket, PlanAction.InSync) with { Changes = [] };
        var notFetched = new DriftResource(SyntheticChecks.AudioOnlyPageKey, "AudioOnly.html as agents load it", DriftState.NotChecked, [], "CloudFront addresses are not fetched from an emulator.");
        var plan = new Plan(Guid.NewGuid(), DateTimeOffset.UnixEpoch, [inSync]);

        HealthVerdict.Judge(plan, [DriftChecker.ToResource(inSync), notFetched], new HashSet<string> { ResourceKeys.Bucket }).Status.ShouldBe(TenantHealthStatus.Healthy);

        var waiting = Item(ResourceKeys.CcpObject("AudioOnly.html"), PlanAction.Blocked) with { Changes = [], Observed = false, Reason = "The page needs the start URL." };
        var unfinished = HealthVerdict.Judge(plan with { Items = [inSync, waiting] }, [DriftChecker.ToResource(inSync), DriftChecker.ToResource(waiting)], new HashSet<string> { ResourceKeys.Bucket });
        unfinished.Status.ShouldBe(TenantHealthStatus.Pending);
        unfinished.Message.ShouldBe("1 resource not set up yet: hosting/object/AudioOnly.html: The page needs the start URL.");
    }

    private static PlanItem Item(string key, PlanAction action) =>
        new(key, key, SplitCcp.Core.Tenants.Spec.SpecSection.Instance, action, [], [new FieldChange("field", "wanted", null)], null, [], Observed: true);

    private static string Describe(TenantHealthReport report) =>
        $"{report.Message}: " + string.Join("; ", report.Resources.Where(r => r.State != DriftState.InSync).Select(r => $"{r.Key} {r.State} {r.Message}"));

    [Fact]
    public async Task A_tenant_whose_setup_is_unfinished_is_unknown_with_the_reason()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.Host.CreateTenantAsync(host.Operator.Principal, "unfinished");

        var report = await CheckAsync(host, tenant.Id);

        report.Status.ShouldBe(TenantHealthStatus.Unknown);
        report.Message.ShouldNotBeNull().ShouldContain("setup is not finished");
        report.Resources.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_tenant_AWS_will_not_answer_for_is_failing_with_the_reason_per_resource()
    {
        await using var host = await ReconciliationTestHost.StartAsync(throttleRate: 1.0, extraSettings: new Dictionary<string, string?>
        {
            ["SplitCcp:Aws:Retry:MaxRetries"] = "1",
        }, provider: Provider);
        var tenant = await host.CreateDemoAsync();

        var report = await CheckAsync(host, tenant.Id);

        report.Status.ShouldBe(TenantHealthStatus.Failing);
        report.Resources.ShouldContain(r => r.State == DriftState.Error && r.Message != null && r.Message.Contains("throttl", StringComparison.OrdinalIgnoreCase));
        report.ErrorCount.ShouldBeGreaterThan(0);
        report.Resources.Where(r => r.State == DriftState.Error).ShouldAllBe(r => !r.Message!.Contains("nothing needs doing"), "the resource could not be read: something does need doing");
    }

    private static DriftService Drift(ReconciliationTestHost host) => host.Services.GetRequiredService<DriftService>();

    [Fact]
    public async Task A_check_that_cannot_read_the_setup_records_the_tenant_Failing_with_the_reason_instead_of_its_last_status()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        var healthy = await CheckAsync(host, tenant.Id);
        healthy.Status.ShouldBe(TenantHealthStatus.Healthy);
        var db = host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>();
        await using (var context = await db.CreateDbContextAsync())
        {
            // A setup written by a later portal, or damaged: it no longer parses.
            await context.TenantSpecs.Where(s => s.TenantId == tenant.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Json, "{\"schemaVersion\": 1, \"connect\": 42}"));
        }

        var report = await CheckAsync(host, tenant.Id);

        report.Status.ShouldBe(TenantHealthStatus.Failing);
        report.Message.ShouldNotBeNull().ShouldContain("cannot be read");
        report.CheckedAt!.Value.ShouldBeGreaterThan(healthy.CheckedAt!.Value);
        var stored = (await Drift(host).GetHealthAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldNotBeNull();
        stored.Status.ShouldBe(TenantHealthStatus.Failing, "the dashboard and the health API read the stored status");
    }

    internal static async Task<TenantHealthReport> CheckAsync(ReconciliationTestHost host, Guid tenantId) =>
        (await Drift(host).CheckNowAsync(await host.TenantAsync(host.Operator.Principal, tenantId))).ShouldBeOfType<CheckResult.Checked>().Report;

    private static async Task TamperAsync(ReconciliationTestHost host, Guid tenantId, SandboxChangeRequest change) =>
        (await host.Services.GetRequiredService<SandboxChanges>().ApplyAsync(await host.TenantAsync(host.Operator.Principal, tenantId), change)).ShouldBeOfType<SandboxChangeResult.Done>();
}

/// <summary>The same facts on PostgreSQL.</summary>
[Collection(RealTimeTests.Name)]
public sealed class PostgreSqlDriftCheckerTests() : DriftCheckerTests(StorageProvider.PostgreSql);
