using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Tests.Core.Reconciliation;

[Collection(SplitCcp.Tests.Core.Reconciliation.RealTimeTests.Name)]
public class ApplyEngineTests
{
    public ApplyEngineTests()
        : this(StorageProvider.Sqlite)
    {
    }

    /// <param name="provider">The database engine the facts run on.</param>
    protected ApplyEngineTests(StorageProvider provider)
    {
        Provider = provider;
    }

    /// <summary>The database engine the facts run on.</summary>
    protected StorageProvider Provider { get; }

    /// <summary>Applies the demo, captures its image the way an operator would in the builder, and applies again.</summary>
    internal static async Task ConvergeAsync(ReconciliationTestHost host, TenantView tenant)
    {
        var first = await host.ApplyAsync(tenant.Id);
        first.State.ShouldBe(ApplyState.Succeeded, first.Error);
        var spec = (await host.Services.GetRequiredService<SplitCcp.Core.Tenants.Spec.TenantSpecService>().GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record.Spec;
        await host.Console.CaptureImageAsync(tenant.Id, spec.AppStream.ImageBuilder.Name!, spec.AppStream.ImageName!);
        var second = await host.ApplyAsync(tenant.Id);
        second.State.ShouldBe(ApplyState.Succeeded, second.Error);
    }

    [Fact]
    public async Task The_demo_plan_lists_every_resource_after_its_dependencies_and_creates_what_is_missing()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();

        var plan = await host.PlanAsync(tenant.Id);

        var position = plan.Items.Select((item, index) => (item.Key, index)).ToDictionary(p => p.Key, p => p.index);
        foreach (var item in plan.Items)
        {
            foreach (var dependency in item.DependsOn)
            {
                position[dependency].ShouldBeLessThan(position[item.Key], $"{item.Key} depends on {dependency}");
            }
        }

        plan.Items.Single(i => i.Key == ResourceKeys.Account).Action.ShouldBe(PlanAction.InSync);
        plan.Items.Single(i => i.Key == ResourceKeys.IdentityCenterApplication).Action.ShouldBe(PlanAction.InSync);
        plan.Items.Single(i => i.Key == ResourceKeys.ConnectInstance).Action.ShouldBe(PlanAction.Create);
        plan.Items.Single(i => i.Key == ResourceKeys.Bucket).Changes.ShouldContain(c => c.Field == "objectOwnership" && c.Expected == "BucketOwnerEnforced");
        var image = plan.Items.Single(i => i.Key == ResourceKeys.Image);
        image.Action.ShouldBe(PlanAction.Manual);
        image.Instructions.ShouldContain(s => s.Value != null && s.Value.Contains("image-assistant.exe create-image", StringComparison.Ordinal));
        plan.Items.Single(i => i.Key == ResourceKeys.Fleet).Action.ShouldBe(PlanAction.Blocked);
        plan.Items.Single(i => i.Key == ResourceKeys.Fleet).Reason.ShouldBe("Waits for: AppStream image.");
    }

    [Fact]
    public async Task Applying_the_demo_converges_and_a_second_plan_is_all_in_sync()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();

        await ConvergeAsync(host, tenant);

        var plan = await host.PlanAsync(tenant.Id);
        plan.Items.Where(i => i.Action != PlanAction.InSync).Select(i => $"{i.Key}: {i.Action} {i.Reason}").ShouldBeEmpty();
        plan.IsInSync.ShouldBeTrue();
    }

    [Fact]
    public async Task Each_steps_message_and_audit_entry_read_as_a_sentence_and_the_finish_counts_its_changes_in_words()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();

        await ConvergeAsync(host, tenant);

        var audit = await host.AuditAsync(tenant.Id);
        var second = audit.Where(a => a.Action == AuditActions.ApplyFinished).OrderBy(a => a.At).Last();
        var steps = audit.Where(a => a.ApplyId == second.ApplyId && a.Action == AuditActions.StepSucceeded).Select(a => a.Summary).ToList();
        steps.ShouldContain("Created the AppStream fleet.");
        steps.ShouldContain("Created the fleet's association with the stack.");
        second.Summary.ShouldMatch(@"^Apply finished: ([02-9]|\d\d+) changes made\.$");
        audit.Where(a => a.Action == AuditActions.StepSucceeded).Select(a => a.Summary)
            .ShouldContain("Created the S3 bucket for the CCP pages.");
    }

    [Fact]
    public async Task The_demos_Identity_Center_lives_in_another_region_than_Connect_and_every_Identity_Center_call_goes_there()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        var world = await host.Console.GetWorldAsync(tenant.Id);
        var specs = host.Services.GetRequiredService<SplitCcp.Core.Tenants.Spec.TenantSpecService>();

        await ConvergeAsync(host, tenant);

        (tenant.Region, world.IdentityCenterRegion).ShouldBe(("eu-west-2", "us-east-1"));
        (await specs.GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record.Spec.IdentityCenter.Region.ShouldBe(world.IdentityCenterRegion);
        (await host.PlanAsync(tenant.Id)).IsInSync.ShouldBeTrue();
        var identityCenterCalls = host.Services.GetRequiredService<SplitCcp.Core.Sandbox.SandboxFaults>().AttemptsByOperation()
            .Where(a => a.Operation.Service is SplitCcp.Core.Aws.Gateways.AwsServices.IdentityCenter or SplitCcp.Core.Aws.Gateways.AwsServices.IdentityStore)
            .ToList();
        identityCenterCalls.Select(a => a.Operation.Name).ShouldContain("CreateApplicationAssignment");
        identityCenterCalls.Select(a => a.Operation.Name).ShouldContain("GetGroupId");
        identityCenterCalls.ShouldAllBe(a => a.Region == "us-east-1");
    }

    [Fact]
    public async Task Identity_Center_looked_for_in_the_tenants_region_when_it_lives_elsewhere_is_not_found_and_the_plan_says_where_it_looked()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        var specs = host.Services.GetRequiredService<SplitCcp.Core.Tenants.Spec.TenantSpecService>();
        var spec = (await specs.GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record.Spec;
        spec.IdentityCenter.Region = null;
        spec.IdentityCenter.MetadataUrl = null;
        spec.IdentityCenter.MetadataXml = "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"idc\"/>";
        (await specs.SaveCompleteAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), spec, null)).ShouldBeOfType<SplitCcp.Core.Tenants.Spec.SpecSaveResult.Saved>();

        var plan = await host.PlanAsync(tenant.Id);

        var application = plan.Items.Single(i => i.Key == ResourceKeys.IdentityCenterApplication);
        application.Action.ShouldBe(PlanAction.Manual);
        application.Reason.ShouldBe($"Identity Center in eu-west-2 has no application {spec.IdentityCenter.ApplicationArn}. If Identity Center lives in another region, "
            + "set that region in the setup's Identity Center step; otherwise create the application as below.");
        plan.Items.Single(i => i.Key == ResourceKeys.IdentityCenterAssignments).Reason.ShouldBe("Waits for: Identity Center SAML application.");
    }

    [Fact]
    public async Task Converges_with_thirty_percent_throttling_and_five_percent_server_errors_injected()
    {
        await using var host = await ReconciliationTestHost.StartAsync(throttleRate: 0.30, serverErrorRate: 0.05, provider: Provider);
        var tenant = await host.CreateDemoAsync();

        await ConvergeAsync(host, tenant);

        (await host.PlanAsync(tenant.Id)).IsInSync.ShouldBeTrue();
        var faults = host.Services.GetRequiredService<SplitCcp.Core.Sandbox.SandboxFaults>();
        faults.Throttles.ShouldBeGreaterThan(10, "the faults must really have been injected");
        faults.ServerErrors.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task By_the_time_an_apply_is_finished_the_setup_holds_what_it_created()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        var specs = host.Services.GetRequiredService<SplitCcp.Core.Tenants.Spec.TenantSpecService>();
        var seenAtFinish = new TaskCompletionSource<SplitCcp.Core.Tenants.Spec.TenantSpec>(TaskCreationOptions.RunContinuationsAsynchronously);
        var authorized = await host.TenantAsync(tenant.Id);
        host.Services.GetRequiredService<ApplyNotifier>().Finished += (tenantId, _) =>
        {
            // What a client polling the apply reads the moment it says Succeeded.
            if (tenantId == tenant.Id)
            {
                seenAtFinish.TrySetResult(specs.GetAsync(authorized).GetAwaiter().GetResult()!.Value.Record.Spec);
            }
        };

        var apply = await host.ApplyAsync(tenant.Id);

        apply.State.ShouldBe(ApplyState.Succeeded, apply.Error);
        var spec = await seenAtFinish.Task.WaitAsync(TimeSpan.FromSeconds(10));
        spec.Connect.InstanceId.ShouldNotBeNullOrWhiteSpace();
        spec.Hosting.CloudFrontDomain.ShouldNotBeNull().ShouldEndWith(".cloudfront.net");
        (await host.PlanAsync(tenant.Id)).Items.ShouldNotContain(i => i.Action == PlanAction.Create || i.Action == PlanAction.Update);
    }

    [Fact]
    public async Task Applying_again_changes_nothing()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        await ConvergeAsync(host, tenant);
        var before = await host.CountObjectsAsync(tenant.Id);
        var versions = await PolicyVersionsAsync(host, tenant);

        var again = await host.ApplyAsync(tenant.Id);

        again.State.ShouldBe(ApplyState.Succeeded);
        again.Steps.ShouldBeEmpty("an apply of a tenant in sync has nothing to do");
        (await host.CountObjectsAsync(tenant.Id)).ShouldBe(before);
        (await PolicyVersionsAsync(host, tenant)).ShouldBe(versions);
    }

    [Fact]
    public async Task A_second_apply_while_one_runs_is_refused_with_the_running_one()
    {
        // The instance takes 3 s to create, so the first apply is surely still running when the second is asked for, however
        // busy the machine; at the usual 300 ms it could finish first, and the second would rightly start.
        await using var host = await ReconciliationTestHost.StartAsync(extraSettings: new Dictionary<string, string?> { ["SplitCcp:Sandbox:InstanceCreation"] = "00:00:03" }, provider: Provider);
        var tenant = await host.CreateDemoAsync();

        var first = await host.StartApplyAsync(tenant.Id);
        var second = await host.PlanAndStartApplyAsync(tenant.Id);

        second.ShouldBeOfType<ApplyStartResult.AlreadyRunning>().ApplyId.ShouldBe(first.Id);
        (await host.WaitAsync(tenant.Id, first.Id)).State.ShouldBe(ApplyState.Succeeded);
        var third = await host.StartApplyAsync(tenant.Id);
        (await host.WaitAsync(tenant.Id, third.Id)).State.ShouldBe(ApplyState.Succeeded);
    }

    [Fact]
    public async Task Slow_operations_are_shown_in_progress_and_journalled_before_and_after_each_step()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();

        var apply = await host.ApplyAsync(tenant.Id);

        var instance = apply.Steps.Single(s => s.ResourceKey == ResourceKeys.ConnectInstance);
        instance.State.ShouldBe(ApplyStepState.Succeeded);
        var journal = await JournalAsync(host, apply.Id);
        var instanceRows = journal.Where(j => j.ResourceKey == ResourceKeys.ConnectInstance).ToList();
        instanceRows[0].Phase.ShouldBe(JournalPhase.Started);
        instanceRows[^1].Phase.ShouldBe(JournalPhase.Succeeded);
        instanceRows.ShouldContain(j => j.Phase == JournalPhase.Progress && j.Detail!.Contains("still creating", StringComparison.Ordinal),
            "creating an instance is asynchronous: the step must show that it waits");
        foreach (var step in apply.Steps.Where(s => s.State is ApplyStepState.Succeeded or ApplyStepState.Failed))
        {
            var rows = journal.Where(j => j.ResourceKey == step.ResourceKey).ToList();
            rows[0].Phase.ShouldBe(JournalPhase.Started, step.ResourceKey);
            rows[^1].Phase.ShouldBeOneOf(JournalPhase.Succeeded, JournalPhase.Failed);
        }

        apply.Steps.Single(s => s.ResourceKey == ResourceKeys.Image).State.ShouldBe(ApplyStepState.Skipped);
    }

    [Fact]
    public async Task Every_spec_save_plan_apply_and_step_is_audited_with_who()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        await host.PlanAsync(tenant.Id);
        var apply = await host.ApplyAsync(tenant.Id);

        var audit = await host.AuditAsync(tenant.Id);

        audit.ShouldAllBe(a => a.Actor == host.Operator.View.Email || a.Actor == host.Operator.Id);
        audit.Select(a => a.Action).ShouldContain(SplitCcp.Core.Security.AuditActions.SpecSaved);
        audit.Select(a => a.Action).ShouldContain(SplitCcp.Core.Security.AuditActions.Planned);
        audit.Select(a => a.Action).ShouldContain(SplitCcp.Core.Security.AuditActions.ApplyRequested);
        audit.Count(a => a.Action == SplitCcp.Core.Security.AuditActions.StepSucceeded && a.ApplyId == apply.Id)
            .ShouldBe(apply.Steps.Count(s => s.State == ApplyStepState.Succeeded));
        audit.ShouldContain(a => a.Action == SplitCcp.Core.Security.AuditActions.ApplyFinished && a.ApplyId == apply.Id);
        audit.Select(a => a.Id).ShouldBeInOrder(SortDirection.Descending);
    }

    [Fact]
    public async Task An_apply_whose_setup_changed_since_it_was_requested_is_not_applied()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        var specs = host.Services.GetRequiredService<SplitCcp.Core.Tenants.Spec.TenantSpecService>();
        var record = (await specs.GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record;
        var requested = new ApplyRun { Id = Guid.NewGuid(), TenantId = tenant.Id, State = ApplyState.Pending, RequestedBy = "someone", SpecVersion = record.Version, CreatedAt = DateTime.UtcNow };
        await using (var db = await Db(host).CreateDbContextAsync())
        {
            db.Applies.Add(requested);
            await db.SaveChangesAsync();
        }

        // Someone changes a value in the wizard before the apply runs.
        var edited = SplitCcp.Core.Tenants.Spec.TenantSpecJson.Parse(SplitCcp.Core.Tenants.Spec.TenantSpecJson.Serialize(record.Spec)).Spec!;
        edited.AppStream.Fleet.DesiredCapacity++;
        (await specs.SaveDraftAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), edited, 2, record.Version)).ShouldBeOfType<SplitCcp.Core.Tenants.Spec.SpecSaveResult.Saved>();
        await host.Engine.RunAsync(requested.Id, CancellationToken.None);

        var apply = await host.Reconciliation.GetApplyAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), requested.Id);
        apply!.State.ShouldBe(ApplyState.Failed);
        apply.Error!.ShouldContain($"The setup changed (version {record.Version} to {record.Version + 1}) after this apply was requested");
        (await host.Console.ListAsync(tenant.Id, SplitCcp.Core.Sandbox.SandboxKinds.S3Bucket)).ShouldBeEmpty("nothing may be applied from a setup the operator did not confirm");
    }

    [Fact]
    public async Task An_apply_that_AWS_refuses_to_let_read_fails_with_AWS_words_rather_than_succeeding()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        host.SandboxOptions.ThrottleRate = 1;

        var apply = await host.ApplyAsync(tenant.Id);

        apply.State.ShouldBe(ApplyState.Failed);
        apply.Error!.ShouldContain("AWS is throttling");
        apply.Error!.ShouldNotContain("nothing needs doing", customMessage: "the retries are spent by the time this is read");
        apply.Steps.ShouldNotContain(s => s.State == ApplyStepState.Succeeded);
        apply.Steps.ShouldNotContain(s => s.State == ApplyStepState.Running || s.State == ApplyStepState.InProgress || s.State == ApplyStepState.Pending);
    }

    /// <summary>Uses up the account's AppStream stack quota (10) with stacks of its own, so the apply's CreateStack is refused.</summary>
    internal static Task FillStackQuotaAsync(ReconciliationTestHost host, TenantView tenant) => FillStackQuotaAsync(host.Services, tenant);

    /// <inheritdoc cref="FillStackQuotaAsync(ReconciliationTestHost, TenantView)"/>
    internal static async Task FillStackQuotaAsync(IServiceProvider services, TenantView tenant)
    {
        var account = await services.GetRequiredService<SplitCcp.Core.Aws.Gateways.IAwsAccountFactory>().OpenAsync(tenant, CancellationToken.None);
        for (var i = 0; i < 10; i++)
        {
            await account.AppStream.CreateStackAsync($"other-stack-{i}", CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_quota_AWS_refuses_is_tried_once_and_fails_its_step_saying_where_to_raise_it()
    {
        await using var host = await ReconciliationTestHost.StartAsync(provider: Provider);
        var tenant = await host.CreateDemoAsync();
        await FillStackQuotaAsync(host, tenant);
        using var errors = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), SplitCcp.Core.Observability.PortalTelemetry.Name, SplitCcp.Core.Aws.AwsCallMetrics.Errors);

        var apply = await host.ApplyAsync(tenant.Id);

        apply.State.ShouldBe(ApplyState.Failed);
        var stack = apply.Steps.Single(s => s.ResourceKey == ResourceKeys.Stack);
        stack.State.ShouldBe(ApplyStepState.Failed);
        stack.Message.ShouldNotBeNull().ShouldStartWith("AWS refused appstream:CreateStack");
        stack.Message.ShouldContain("the account has reached one of its quotas. AWS said: The requested limit exceeds the permitted limit for an account: 10 per stack.");
        stack.Message.ShouldContain($"Service Quotas console (Amazon AppStream 2.0, region {tenant.Region})");
        stack.Message.ShouldContain("the apply stopped at this step");
        apply.Error.ShouldBe($"1 step failed. First: AppStream stack: {stack.Message}");
        apply.Steps.ShouldAllBe(s => s.Message == null || !s.Message.Contains("nothing needs doing"));
        var appStream = errors.GetMeasurementSnapshot().Where(m => Equals(m.Tags["service"], "appstream")).ToList();
        appStream.Count(m => Equals(m.Tags["kind"], "QuotaExceeded")).ShouldBe(1, "one attempt, not retried");
        appStream.Count(m => Equals(m.Tags["kind"], "Throttled")).ShouldBe(0);
    }

    private static Microsoft.EntityFrameworkCore.IDbContextFactory<SplitCcp.Core.Persistence.SplitCcpDbContext> Db(ReconciliationTestHost host) =>
        host.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<SplitCcp.Core.Persistence.SplitCcpDbContext>>();

    private static async Task<int> PolicyVersionsAsync(ReconciliationTestHost host, TenantView tenant) =>
        (await host.Console.ListAsync(tenant.Id, SplitCcp.Core.Sandbox.SandboxKinds.IamPolicy)).Single().Json.Split("versionId").Length;

    private static async Task<List<ApplyJournalEntry>> JournalAsync(ReconciliationTestHost host, Guid applyId)
    {
        await using var db = await Db(host).CreateDbContextAsync();
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.ApplyJournal.Where(j => j.ApplyId == applyId).OrderBy(j => j.Id));
    }
}

/// <summary>The same facts on PostgreSQL.</summary>
[Collection(SplitCcp.Tests.Core.Reconciliation.RealTimeTests.Name)]
public sealed class PostgreSqlApplyEngineTests() : ApplyEngineTests(StorageProvider.PostgreSql);
