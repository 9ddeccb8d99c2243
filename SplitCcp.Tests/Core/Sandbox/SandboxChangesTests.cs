using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Core.Reconciliation;

namespace SplitCcp.Tests.Core.Sandbox;

/// <summary>A tenant set up by hand, not the demo: its console steps are done through the Sandbox's simulation.</summary>
[Collection(RealTimeTests.Name)]
public sealed class SandboxChangesTests
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// What an operator types for a new Sandbox tenant that uses its existing Connect instance: the generated names, the
    /// instance, the Identity Center instance and a group; nothing the console step gives (application ARN, metadata URL,
    /// start URL) since that step comes after.
    /// </summary>
    internal static async Task<TenantView> CreateHandBuiltAsync(ReconciliationTestHost host, string slug = "hand-built")
    {
        var tenant = await host.Host.CreateTenantAsync(host.Operator.Principal, slug, "Hand Built Co");
        var specs = host.Services.GetRequiredService<TenantSpecService>();
        var world = await host.Console.GetWorldAsync(tenant.Id);
        var instance = world.ConnectInstances.First(i => i.UsesSaml);
        var spec = (await specs.GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record.Spec;
        spec.Connect = new ConnectSpec
        {
            InstanceMode = ConnectInstanceMode.UseExisting,
            InstanceId = instance.Id,
            InstanceAlias = instance.Alias,
            Agents = [new AgentUserSpec { Email = world.Users[0].UserName, FirstName = world.Users[0].FirstName, LastName = world.Users[0].LastName }],
        };
        spec.IdentityCenter = new IdentityCenterSpec { InstanceArn = world.IdentityCenterInstanceArn, AssignedGroups = [SandboxSeed.AgentsGroup] };
        spec.AppStream.ImageBuilder.SubnetIds = ["subnet-0a1b2c3d4e5f60718"];
        spec.AppStream.ImageBuilder.SecurityGroupIds = ["sg-0a1b2c3d4e5f60718"];
        (await specs.SaveCompleteAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), spec, expectedVersion: null)).ShouldBeOfType<SpecSaveResult.Saved>();
        return tenant;
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0.3, 0.05)]
    public async Task A_hand_built_tenant_converges_through_one_apply_its_console_steps_and_a_second_apply(double throttleRate, double serverErrorRate)
    {
        // Not only the demo's path, and not only a quiet AWS: with throttling and server errors the retries carry it through.
        await using var host = await ReconciliationTestHost.StartAsync(throttleRate, serverErrorRate);
        var tenant = await CreateHandBuiltAsync(host);

        var first = await host.ApplyAsync(tenant.Id);
        first.State.ShouldBe(ApplyState.Succeeded, first.Error);
        var plan = await host.PlanAsync(tenant.Id);
        plan.Items.Where(i => i.Action == PlanAction.Manual).Select(i => i.Key).ShouldBe([ResourceKeys.IdentityCenterApplication, ResourceKeys.Image], ignoreOrder: true);

        var application = await CompleteAsync(host, tenant.Id, ResourceKeys.IdentityCenterApplication);
        application.Summary.ShouldContain("Simulated a console step");
        await CompleteAsync(host, tenant.Id, ResourceKeys.Image);

        var between = await host.PlanAsync(tenant.Id);
        between.Items.ShouldNotContain(i => i.Action == PlanAction.Manual);
        foreach (var key in new[] { ResourceKeys.SamlProvider, ResourceKeys.FederationRole, ResourceKeys.IdentityCenterAssignments })
        {
            between.Items.Single(i => i.Key == key).Action.ShouldBeOneOf([PlanAction.Create, PlanAction.Update], key);
        }

        var second = await host.ApplyAsync(tenant.Id);
        second.State.ShouldBe(ApplyState.Succeeded, second.Error);
        var last = await host.PlanAsync(tenant.Id);
        last.Items.Where(i => i.Action != PlanAction.InSync).Select(i => $"{i.Key}: {i.Action} {i.Reason}").ShouldBeEmpty();
        var report = (await host.Services.GetRequiredService<DriftService>().CheckNowAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldBeOfType<CheckResult.Checked>().Report;
        report.Status.ShouldBe(TenantHealthStatus.Healthy, string.Join("; ", report.Resources.Where(r => r.State != DriftState.InSync).Select(r => $"{r.Key} {r.State} {r.Message}")));
    }

    [Fact]
    public async Task Completing_the_application_makes_it_with_the_instructions_values_and_pastes_it_into_the_setup_as_a_new_audited_version()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await CreateHandBuiltAsync(host);
        var specs = host.Services.GetRequiredService<TenantSpecService>();
        var before = (await specs.GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record;
        var values = before.Values(tenant.Region);
        var item = (await host.PlanAsync(tenant.Id)).Items.Single(i => i.Key == ResourceKeys.IdentityCenterApplication);
        item.Action.ShouldBe(PlanAction.Manual);

        var done = await CompleteAsync(host, tenant.Id, ResourceKeys.IdentityCenterApplication);

        var after = (await specs.GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record;
        after.Version.ShouldBe(before.Version + 1);
        after.IsDraft.ShouldBeFalse();
        var idc = after.Spec.IdentityCenter;
        var stored = (await host.Console.ListAsync(tenant.Id, SandboxKinds.IdentityCenterApplication)).ShouldHaveSingleItem();
        stored.Id.ShouldBe(idc.ApplicationArn);
        stored.Json.ShouldContain(idc.MetadataUrl!);
        stored.Json.ShouldContain("\"ENABLED\"");
        stored.Json.ShouldContain(before.Spec.IdentityCenter.InstanceArn!);
        var saml = JsonDocument.Parse(stored.Json).RootElement.GetProperty("saml").Deserialize<SandboxSamlConfiguration>(s_json)!;
        saml.Name.ShouldBe(item.Instructions.Single(s => s.Text.StartsWith("Name it", StringComparison.Ordinal)).Value);
        saml.RelayState.ShouldBe(values.RelayState);
        saml.AcsUrl.ShouldBe(values.AcsUrl);
        saml.Audience.ShouldBe(values.Audience);
        saml.AttributeMappings.ShouldBe(values.AttributeMappings);
        foreach (var step in item.Instructions.Where(s => s.Value is not null))
        {
            new[] { saml.Name, saml.RelayState, saml.AcsUrl, saml.Audience }.Concat(saml.AttributeMappings.Select(m => m.Value)).ShouldContain(step.Value, step.Text);
        }

        TenantSpecRules.StartUrl(idc.StartUrl).ShouldBeNull();
        TenantSpecRules.MetadataUrl(idc.MetadataUrl, SpecTarget.Of(tenant)).ShouldBeNull();
        (await host.PlanAsync(tenant.Id)).Items.Single(i => i.Key == ResourceKeys.IdentityCenterApplication).Action.ShouldBe(PlanAction.InSync);
        var audit = await host.AuditAsync(tenant.Id);
        audit.ShouldContain(a => a.Action == AuditActions.SandboxChanged && a.Summary == done.Summary && a.Actor == host.Operator.Id);
        audit.ShouldContain(a => a.Action == AuditActions.SpecLearned && a.Summary.Contains("console step", StringComparison.Ordinal) && a.Actor == host.Operator.Id);
    }

    [Fact]
    public async Task Completing_an_application_the_setup_already_names_says_there_is_nothing_to_do()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();

        var result = await Changes(host).ApplyAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), new SandboxChangeRequest(ResourceKeys.IdentityCenterApplication, SandboxChangeKind.Complete));

        var message = result.ShouldBeOfType<SandboxChangeResult.Invalid>().Errors["change"].Single();
        message.ShouldContain("nothing to do");
        (await host.Console.ListAsync(tenant.Id, SandboxKinds.IdentityCenterApplication)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Completing_a_resource_without_a_console_step_names_every_resource_that_has_one()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await CreateHandBuiltAsync(host);

        var result = await Changes(host).ApplyAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), new SandboxChangeRequest(ResourceKeys.Bucket, SandboxChangeKind.Complete));

        var message = result.ShouldBeOfType<SandboxChangeResult.Invalid>().Errors["change"].Single();
        var spec = (await host.Services.GetRequiredService<TenantSpecService>().GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record.Spec;
        var manual = ResourceCatalog.For(spec).Where(r => r.IsManual).ToList();
        manual.Count.ShouldBe(2);
        foreach (var resource in manual)
        {
            message.ShouldContain(resource.Key);
            SandboxChanges.HasConsoleStep(resource.Key).ShouldBeTrue(resource.Key);
        }
    }

    [Fact]
    public async Task Completing_the_application_replaces_values_that_name_no_application_and_says_which()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await CreateHandBuiltAsync(host);
        var specs = host.Services.GetRequiredService<TenantSpecService>();
        var spec = (await specs.GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record.Spec;
        const string Typed = "https://portal.sso.eu-west-2.amazonaws.com/saml/metadata/bm90LWFuLWFwcGxpY2F0aW9u";
        spec.IdentityCenter.MetadataUrl = Typed;
        (await specs.SaveCompleteAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), spec, expectedVersion: null)).ShouldBeOfType<SpecSaveResult.Saved>();

        var done = await CompleteAsync(host, tenant.Id, ResourceKeys.IdentityCenterApplication);

        var after = (await specs.GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record.Spec.IdentityCenter;
        after.MetadataUrl.ShouldNotBe(Typed);
        done.Summary.ShouldContain(Typed);
        done.Summary.ShouldContain("replaced");
    }

    [Fact]
    public async Task Completing_the_application_while_another_part_of_the_setup_is_saved_still_pastes_its_values()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await CreateHandBuiltAsync(host);
        var specs = host.Services.GetRequiredService<TenantSpecService>();
        var before = (await specs.GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record;
        var gate = SplitCcp.Core.Persistence.SqliteWriteGate.For(host.Host.ConnectionString);

        // The step has read the setup and waits to write the application, while the setup is saved again past the gate
        // (as an apply records the distribution's domain once it is over).
        await gate.WaitAsync();
        var complete = Changes(host).ApplyAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), new SandboxChangeRequest(ResourceKeys.IdentityCenterApplication, SandboxChangeKind.Complete));
        await Task.Delay(500);
        complete.IsCompleted.ShouldBeFalse("it waits for the write gate with the application");
        await host.Host.QueryScalarAsync("UPDATE TenantSpecs SET Version = Version + 1 WHERE TenantId = $id", ("$id", tenant.Id.ToString().ToUpperInvariant()));
        gate.Release();

        var done = (await complete).ShouldBeOfType<SandboxChangeResult.Done>();
        done.Summary.ShouldContain("pasted its ARN");
        var after = (await specs.GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record;
        after.Version.ShouldBe(before.Version + 2);
        after.Spec.IdentityCenter.ApplicationArn.ShouldNotBeNull();
        (await host.PlanAsync(tenant.Id)).Items.Single(i => i.Key == ResourceKeys.IdentityCenterApplication).Action.ShouldBe(PlanAction.InSync);
    }

    [Fact]
    public async Task Targets_of_an_applied_demo_name_the_object_behind_every_resource_that_is_one()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);
        await CompleteAsync(host, tenant.Id, ResourceKeys.Image);
        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);
        var plan = await host.PlanAsync(tenant.Id);
        plan.IsInSync.ShouldBeTrue(string.Join("; ", plan.Items.Where(i => i.Action != PlanAction.InSync).Select(i => $"{i.Key} {i.Action} {i.Reason}")));

        var targets = await Changes(host).TargetsAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id));

        targets.Keys.ShouldBe(plan.Items.Select(i => i.Key), ignoreOrder: true);
        var stored = (await host.Console.ListAsync(tenant.Id)).Select(o => o.Id).ToHashSet(StringComparer.Ordinal);
        var notOneObject = new[] { ResourceKeys.Account, ResourceKeys.IdentityCenterAssignments };
        foreach (var (key, target) in targets)
        {
            target.ConsoleStep.ShouldBeNull(key);
            if (notOneObject.Contains(key))
            {
                target.ObjectId.ShouldBeNull(key);
                continue;
            }

            stored.ShouldContain(target.ObjectId.ShouldNotBeNull(key), key);
        }

        var spec = (await host.Services.GetRequiredService<TenantSpecService>().GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id)))!.Value.Record.Spec;
        targets[ResourceKeys.Bucket].ObjectId.ShouldBe(spec.Hosting.BucketName);
        targets[ResourceKeys.Bucket].Fields.ShouldContain("restrictPublicBuckets");
        targets[ResourceKeys.Fleet].Fields.ShouldContain("desiredCapacity");
        targets[ResourceKeys.StackFleet].Fields.ShouldBeEmpty();
        targets[ResourceKeys.ConnectUser(spec.Connect.Agents[0].Email!)].ObjectId.ShouldBe($"{spec.Connect.InstanceId}/{spec.Connect.Agents[0].Email}");
    }

    [Fact]
    public async Task Targets_offer_each_console_step_until_it_is_done_and_no_object_before_it_exists()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await CreateHandBuiltAsync(host);
        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);

        var before = await Changes(host).TargetsAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id));
        await CompleteAsync(host, tenant.Id, ResourceKeys.IdentityCenterApplication);
        var after = await Changes(host).TargetsAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id));

        before[ResourceKeys.IdentityCenterApplication].ShouldBe(new SandboxTarget(null, before[ResourceKeys.IdentityCenterApplication].Fields, "create the SAML application"));
        before[ResourceKeys.Image].ConsoleStep.ShouldBe("capture the image");
        before[ResourceKeys.SamlProvider].ObjectId.ShouldBeNull("it waits for the application");
        before[ResourceKeys.ImageBuilder].ObjectId.ShouldNotBeNull();
        var arn = (await host.Console.ListAsync(tenant.Id, SandboxKinds.IdentityCenterApplication)).ShouldHaveSingleItem().Id;
        after[ResourceKeys.IdentityCenterApplication].ObjectId.ShouldBe(arn);
        after[ResourceKeys.IdentityCenterApplication].ConsoleStep.ShouldBeNull();
        after[ResourceKeys.Image].ConsoleStep.ShouldBe("capture the image");
    }

    [Fact]
    public async Task Targets_are_read_as_the_console_does_with_no_injected_faults()
    {
        await using var host = await ReconciliationTestHost.StartAsync(throttleRate: 1, serverErrorRate: 0);
        var tenant = await host.CreateDemoAsync();
        var faults = host.Services.GetRequiredService<SandboxFaults>();
        var attempts = faults.Attempts;

        var targets = await Changes(host).TargetsAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id));

        faults.Attempts.ShouldBe(attempts);
        targets[ResourceKeys.IdentityCenterApplication].ObjectId.ShouldNotBeNull("the demo's application is made in its console");
    }

    [Fact]
    public async Task Targets_are_none_for_a_viewer_or_a_tenant_with_a_real_account()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        var viewer = await host.Host.CreateUserAsync(Roles.Viewer, tenant.Id);
        var real = await host.Host.CreateTenantAsync(host.Operator.Principal, CoreTestHost.SandboxInput("real-co") with
        {
            AccessMode = nameof(AwsAccessMode.AssumeRole), RoleArn = "arn:aws:iam::123456789012:role/SplitCcpAccess", ExternalId = "0123456789abcdef0123456789abcdef",
        });

        (await Changes(host).TargetsAsync(await host.TenantAsync(viewer.Principal, tenant.Id))).ShouldBeEmpty();
        (await Changes(host).TargetsAsync(await host.TenantAsync(host.Operator.Principal, real.Id))).ShouldBeEmpty();
        (await Changes(host).TargetsAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldNotBeEmpty();
    }

    private static SandboxChanges Changes(ReconciliationTestHost host) => host.Services.GetRequiredService<SandboxChanges>();

    internal static async Task<SandboxChangeResult.Done> CompleteAsync(ReconciliationTestHost host, Guid tenantId, string key)
    {
        var result = await Changes(host).ApplyAsync(await host.TenantAsync(host.Operator.Principal, tenantId), new SandboxChangeRequest(key, SandboxChangeKind.Complete));
        return result as SandboxChangeResult.Done ?? throw new ShouldAssertException($"Complete on {key}: {result}");
    }
}
