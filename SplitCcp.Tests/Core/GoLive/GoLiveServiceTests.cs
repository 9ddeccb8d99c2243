using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.GoLive;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Core.Reconciliation;
using SplitCcp.Tests.Core.Reconciliation.Drift;

namespace SplitCcp.Tests.Core.GoLive;

[Collection(RealTimeTests.Name)]
public sealed class GoLiveServiceTests
{
    [Fact]
    public async Task GetAsync_ADemoTenant_HasEveryCheckWithTheSetupsValuesFilledIn()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();

        // Before the first apply the instance and the distribution do not exist: the checks say what stands for their values.
        var unapplied = (await GoLive(host).GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldNotBeNull();
        Check(unapplied, GoLiveChecks.SignIn).IfNot.ShouldContain("relay state (known once the Connect instance exists)");
        Check(unapplied, GoLiveChecks.AudioOnly).Link.ShouldBeNull();

        await ApplyEngineTests.ConvergeAsync(host, tenant);
        var spec = await SpecAsync(host, tenant.Id);
        var values = SetupValues.For(tenant.Region, spec);
        var report = (await GoLive(host).GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldNotBeNull();

        report.SetupComplete.ShouldBeTrue();
        report.IsLive.ShouldBeFalse();
        report.Checks.Select(c => c.Key).ShouldBe(GoLiveChecks.All);
        report.Checks.Where(c => c.Kind == GoLiveCheckKind.Automatic).Select(c => c.Key).ShouldBe(GoLiveChecks.Automatic);
        report.Checks.ShouldAllBe(c => c.State == GoLiveCheckState.NotDone && c.WhatToDo.Length > 0 && c.Expect.Length > 0 && c.IfNot.Length > 0);
        (report.Passed, report.Total).ShouldBe((0, 11));
        Check(report, GoLiveChecks.Pages).Note.ShouldStartWith("Not checked yet");

        var signIn = Check(report, GoLiveChecks.SignIn);
        signIn.WhatToDo.ShouldContain(spec.IdentityCenter.StartUrl!);
        signIn.Link.ShouldBe(spec.IdentityCenter.StartUrl);
        signIn.IfNot.ShouldContain($"{values.FederationRoleArn},{values.SamlProviderArn}");
        signIn.IfNot.ShouldContain($"relay state {values.RelayState.ShouldNotBeNull()}");
        Check(report, GoLiveChecks.Session).WhatToDo.ShouldContain($"stack {spec.AppStream.StackName} and fleet {spec.AppStream.Fleet.Name}");
        Check(report, GoLiveChecks.Session).Expect.ShouldContain(values.InSessionUrl.ShouldNotBeNull());
        Check(report, GoLiveChecks.InSession).IfNot.ShouldContain($"cookies for {values.HostingOrigin} and {values.ConnectInstanceUrl}");
        Check(report, GoLiveChecks.AudioOnly).Link.ShouldBe($"{values.AudioOnlyUrl}#self-test");
        Check(report, GoLiveChecks.TestCall).WhatToDo.ShouldContain("the US DID number the portal claimed");
        Check(report, GoLiveChecks.Assignments).Expect.ShouldContain("assigned to it: group Agents.");
        Check(report, GoLiveChecks.Fleet).Expect.ShouldContain($"Fleet {spec.AppStream.Fleet.Name} is RUNNING with 2 instances wanted");

        report.TestSession.ShouldBe(new GoLiveTestSession(spec.AppStream.StackName, spec.AppStream.Fleet.Name, spec.Connect.Agents[0].Email));
        report.Agents.Select(a => a.Email).ShouldBe(spec.Connect.Agents.Select(a => a.Email!));
        report.Agents[0].Name.ShouldBe($"{spec.Connect.Agents[0].FirstName} {spec.Connect.Agents[0].LastName}");
        report.Agents.ShouldAllBe(a => a.ConnectUser.State == AgentCheckState.Unknown && a.LastTest == null);
    }

    [Fact]
    public async Task A_tenant_is_live_only_once_every_check_passes_and_a_drift_check_can_tick_the_last_ones()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        var agent = (await SpecAsync(host, tenant.Id)).Connect.Agents[0].Email!;

        // Every check done with an agent passes, but the portal has not checked the tenant yet: not live.
        GoLiveReport report = default!;
        foreach (var key in GoLiveChecks.Manual)
        {
            report = await RecordAsync(host, tenant.Id, key, new GoLiveResultInput("Passed", null, agent));
        }

        report.IsLive.ShouldBeFalse();
        report.Passed.ShouldBe(GoLiveChecks.Manual.Count);
        Check(report, GoLiveChecks.SignIn).ShouldSatisfyAllConditions(
            c => c.State.ShouldBe(GoLiveCheckState.Passed),
            c => c.Agent.ShouldBe(agent),
            c => c.By.ShouldBe(host.Operator.Id),
            c => c.At.ShouldNotBeNull());

        // The drift check ticks the automatic checks, and with them the tenant goes live by itself.
        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Healthy);
        report = (await GoLive(host).GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldNotBeNull();

        report.Checks.Where(c => c.Kind == GoLiveCheckKind.Automatic).ShouldAllBe(c => c.State == GoLiveCheckState.Passed && c.By == "drift check");
        report.IsLive.ShouldBeTrue();
        report.LiveSince.ShouldNotBeNull();
        (report.Passed, report.Total).ShouldBe((11, 11));
        report.Urgent.ShouldBeNull();
        report.Agents[0].LastTest.ShouldNotBeNull().Passed.ShouldBe(GoLiveChecks.Manual.Count);
        (await host.AuditAsync(tenant.Id)).Where(a => a.Action == AuditActions.WentLive).ShouldHaveSingleItem().Actor.ShouldBe("drift check");
        var row = (await Drift(host).ListAsync(await host.ScopeAsync(host.Operator.Principal), new TenantHealthQuery())).Items.ShouldHaveSingleItem();
        row.LiveSince.ShouldBe(report.LiveSince);
        (await GoLive(host).LiveSinceAsync(await host.ScopeAsync(host.Operator.Principal), [tenant.Id]))[tenant.Id].ShouldBe(report.LiveSince!.Value);
    }

    [Fact]
    public async Task A_live_tenant_stays_live_through_a_drift_which_is_urgent_and_stops_being_live_when_a_check_fails()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        var other = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        await DriftCheckerTests.CheckAsync(host, tenant.Id);
        foreach (var key in GoLiveChecks.Manual.SkipLast(1))
        {
            (await RecordAsync(host, tenant.Id, key, new GoLiveResultInput("passed", "Heard both ways.", null))).IsLive.ShouldBeFalse("live only once every check has passed");
        }

        var report = await RecordAsync(host, tenant.Id, GoLiveChecks.Manual[^1], new GoLiveResultInput("Passed", null, null));
        report.IsLive.ShouldBeTrue();
        (await host.AuditAsync(tenant.Id)).Single(a => a.Action == AuditActions.WentLive).Actor.ShouldBe(host.Operator.Id);
        var liveSince = report.LiveSince;
        await Tamper(host, tenant.Id, new SandboxChangeRequest(ResourceKeys.BucketPolicy, SandboxChangeKind.Delete));

        var drifted = await DriftCheckerTests.CheckAsync(host, tenant.Id);
        report = (await GoLive(host).GetAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldNotBeNull();

        drifted.Status.ShouldBe(TenantHealthStatus.Drifted);
        drifted.Message.ShouldBe(HealthVerdict.LiveDrift);
        report.IsLive.ShouldBeTrue("agents still take calls on it");
        report.LiveSince.ShouldBe(liveSince);
        Check(report, GoLiveChecks.Pages).State.ShouldBe(GoLiveCheckState.Failed);
        Check(report, GoLiveChecks.Pages).Note.ShouldNotBeNull().ShouldContain("403 Forbidden");
        report.Urgent.ShouldBe("This tenant is live and agents are affected: at the last drift check, \"The CCP pages reach agents\" no longer passed. Fix it first; the drift check says what is wrong.");

        // On the dashboard the live tenant's drift comes first, even before a failing tenant.
        await Tamper(host, other.Id, new SandboxChangeRequest(ResourceKeys.IdentityCenterApplication, SandboxChangeKind.Delete));
        var rows = (await Drift(host).ListAsync(await host.ScopeAsync(host.Operator.Principal), new TenantHealthQuery())).Items;
        rows[0].TenantId.ShouldBe(tenant.Id);
        rows[0].IsUrgent.ShouldBeTrue();

        report = await RecordAsync(host, tenant.Id, GoLiveChecks.TestCall, new GoLiveResultInput("Failed", "Rang in the session, not on the PC.", "maria"));

        report.IsLive.ShouldBeFalse();
        report.LiveSince.ShouldBeNull();
        Check(report, GoLiveChecks.TestCall).ShouldSatisfyAllConditions(
            c => c.State.ShouldBe(GoLiveCheckState.Failed),
            c => c.Note.ShouldBe("Rang in the session, not on the PC."));
        var audit = await host.AuditAsync(tenant.Id);
        audit.Single(a => a.Action == AuditActions.LiveEnded).Summary.ShouldContain("A test call rings locally and is answered in the session");
        audit.Count(a => a.Action == AuditActions.GoLiveResult).ShouldBe(GoLiveChecks.Manual.Count + 1);
        audit.First(a => a.Action == AuditActions.GoLiveResult).Summary.ShouldBe(
            "Go-live check \"A test call rings locally and is answered in the session\" failed with maria: Rang in the session, not on the PC.");
    }

    [Fact]
    public async Task RecordAsync_RefusesViewersAutomaticChecksUnknownKeysAndAFailureWithoutANote()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        var viewer = await host.Host.CreateUserAsync(Roles.Viewer, tenant.Id);
        var service = GoLive(host);

        (await service.RecordAsync(await host.TenantAsync(viewer.Principal, tenant.Id), GoLiveChecks.SignIn, new("Passed", null, null))).ShouldBeOfType<GoLiveRecordResult.Forbidden>();
        (await service.RecordAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), GoLiveChecks.Fleet, new("Passed", null, null))).ShouldBeOfType<GoLiveRecordResult.Automatic>();
        (await service.RecordAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), "coffee", new("Passed", null, null))).ShouldBeOfType<GoLiveRecordResult.NotFound>();
        var invalid = (await service.RecordAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), GoLiveChecks.SignIn, new("Failed", "  ", null))).ShouldBeOfType<GoLiveRecordResult.Invalid>();
        invalid.Errors.Keys.ShouldBe(["note"]);
        (await service.RecordAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), GoLiveChecks.SignIn, new("Maybe", null, null))).ShouldBeOfType<GoLiveRecordResult.Invalid>()
            .Errors.Keys.ShouldBe(["result"]);

        (await service.GetAsync(await host.TenantAsync(viewer.Principal, tenant.Id))).ShouldNotBeNull().Checks.ShouldAllBe(c => c.State == GoLiveCheckState.NotDone);
        (await host.AuditAsync(tenant.Id)).ShouldNotContain(a => a.Action == AuditActions.GoLiveResult);
    }

    [Fact]
    public async Task StartTestSessionAsync_ARunningFleet_GivesAStreamingUrlFromTheSandboxThatTheAuditNeverHolds()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        var viewer = await host.Host.CreateUserAsync(Roles.Viewer, tenant.Id);
        var service = GoLive(host);

        // Before the apply there is no stack to stream from: AWS's answer, in words.
        var notReady = (await service.StartTestSessionAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), "maria")).ShouldBeOfType<TestSessionResult.NotReady>();
        notReady.Reason.ShouldContain("does not exist");

        await ApplyEngineTests.ConvergeAsync(host, tenant);
        var spec = await SpecAsync(host, tenant.Id);
        var before = DateTime.UtcNow;
        var started = (await service.StartTestSessionAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), " agent.one@demo.example.com ")).ShouldBeOfType<TestSessionResult.Started>().Session;

        started.UserId.ShouldBe("agent.one@demo.example.com");
        (started.StackName, started.FleetName).ShouldBe((spec.AppStream.StackName!, spec.AppStream.Fleet.Name!));
        started.StreamingUrl.ShouldStartWith("https://appstream2.eu-west-2.aws.amazon.com/authenticate?parameters=");
        started.ExpiresAt.ShouldBeInRange(before + GoLiveService.TestSessionValidity - TimeSpan.FromSeconds(2), DateTime.UtcNow + GoLiveService.TestSessionValidity);
        var audited = (await host.AuditAsync(tenant.Id)).Single(a => a.Action == AuditActions.TestSession);
        audited.Summary.ShouldContain("for the test user agent.one@demo.example.com");
        audited.Summary.ShouldNotContain("appstream2");
        host.Host.DatabaseFilesContain(new Uri(started.StreamingUrl).Query).ShouldBeFalse("a streaming URL is shown once, never stored");

        (await service.StartTestSessionAsync(await host.TenantAsync(viewer.Principal, tenant.Id), "maria")).ShouldBeOfType<TestSessionResult.Forbidden>();
        (await service.StartTestSessionAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), "a.rather.long.agent.name@northwind.example.com"))
            .ShouldBeOfType<TestSessionResult.Invalid>().Errors.Keys.ShouldBe(["userId"]);

        // A stopped fleet cannot stream: AWS says so, and the operator reads it.
        await Tamper(host, tenant.Id, new SandboxChangeRequest(ResourceKeys.Fleet, SandboxChangeKind.Alter, "state", "STOPPED"));
        (await service.StartTestSessionAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id), "maria")).ShouldBeOfType<TestSessionResult.NotReady>()
            .Reason.ShouldContain("must be RUNNING to stream");
    }

    [Fact]
    public async Task CheckAgentsAsync_ReadsEachAgentsConnectUserAndIdentityCenterAssignment()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        var viewer = await host.Host.CreateUserAsync(Roles.Viewer, tenant.Id);
        var service = GoLive(host);
        (await service.CheckAgentsAsync(await host.TenantAsync(viewer.Principal, tenant.Id))).ShouldBeOfType<AgentsCheckResult.Forbidden>();

        // Before the first apply there is no instance, and the apply has not assigned the Agents group yet.
        var unapplied = (await service.CheckAgentsAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldBeOfType<AgentsCheckResult.Checked>().Report;
        unapplied.AgentsCheckedAt.ShouldNotBeNull();
        unapplied.Agents.ShouldAllBe(a => a.ConnectUser == new AgentCheck(AgentCheckState.Unknown, "The Connect instance does not exist yet: apply first."));
        unapplied.Agents.ShouldAllBe(a => a.IdentityCenter.State == AgentCheckState.NotReady && a.IdentityCenter.Text.StartsWith("Not assigned to the application \"SplitCcp Demo contact center\""));

        await ApplyEngineTests.ConvergeAsync(host, tenant);
        var ready = (await service.CheckAgentsAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldBeOfType<AgentsCheckResult.Checked>().Report;

        ready.Agents.Count.ShouldBe(3);
        ready.Agents.ShouldAllBe(a => a.ConnectUser == new AgentCheck(AgentCheckState.Ready, "Exists, with Basic Routing Profile and Agent."));
        ready.Agents.ShouldAllBe(a => a.IdentityCenter == new AgentCheck(AgentCheckState.Ready, "Assigned through group Agents."));
        (await host.AuditAsync(tenant.Id)).First(a => a.Action == AuditActions.AgentsChecked).Summary.ShouldEndWith("3 of 3 ready to sign in and take calls.");

        var first = ready.Agents[0].Email;
        await Tamper(host, tenant.Id, new SandboxChangeRequest(ResourceKeys.ConnectUser(first), SandboxChangeKind.Delete));
        var missing = (await service.CheckAgentsAsync(await host.TenantAsync(host.Operator.Principal, tenant.Id))).ShouldBeOfType<AgentsCheckResult.Checked>().Report;

        missing.Agents[0].ConnectUser.ShouldBe(new AgentCheck(AgentCheckState.NotReady, $"No Connect user {first}: apply creates it."));
        missing.Agents[1].ConnectUser.State.ShouldBe(AgentCheckState.Ready);
        (await service.GetAsync(await host.TenantAsync(viewer.Principal, tenant.Id))).ShouldNotBeNull().Agents[0].ConnectUser.State.ShouldBe(AgentCheckState.NotReady, "the last check is kept for readers");
    }

    private static GoLiveService GoLive(ReconciliationTestHost host) => host.Services.GetRequiredService<GoLiveService>();

    private static DriftService Drift(ReconciliationTestHost host) => host.Services.GetRequiredService<DriftService>();

    private static GoLiveCheck Check(GoLiveReport report, string key) => report.Checks.Single(c => c.Key == key);

    private static async Task<TenantSpec> SpecAsync(ReconciliationTestHost host, Guid tenantId) =>
        (await host.Services.GetRequiredService<TenantSpecService>().GetAsync(await host.TenantAsync(host.Operator.Principal, tenantId)))!.Value.Record.Spec;

    private static async Task<GoLiveReport> RecordAsync(ReconciliationTestHost host, Guid tenantId, string key, GoLiveResultInput input) =>
        (await GoLive(host).RecordAsync(await host.TenantAsync(host.Operator.Principal, tenantId), key, input)).ShouldBeOfType<GoLiveRecordResult.Recorded>().Report;

    private static async Task Tamper(ReconciliationTestHost host, Guid tenantId, SandboxChangeRequest change) =>
        (await host.Services.GetRequiredService<SandboxChanges>().ApplyAsync(await host.TenantAsync(host.Operator.Principal, tenantId), change)).ShouldBeOfType<SandboxChangeResult.Done>();
}
