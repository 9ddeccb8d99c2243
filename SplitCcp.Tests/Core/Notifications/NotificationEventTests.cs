using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.GoLive;
using SplitCcp.Core.Notifications;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Tests.Core.Reconciliation;
using SplitCcp.Tests.Core.Reconciliation.Drift;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Notifications;

/// <summary>What the portal's own changes tell: a tenant turning drifted or failing, a failed apply, a tenant going live, once each.</summary>
[Collection(RealTimeTests.Name)]
public class NotificationEventTests
{
    public NotificationEventTests()
        : this(StorageProvider.Sqlite)
    {
    }

    protected NotificationEventTests(StorageProvider provider)
    {
        Provider = provider;
    }

    protected StorageProvider Provider { get; }

    [Fact]
    public async Task A_tenant_tampered_into_drift_is_told_once_until_it_is_healthy_and_drifts_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var endpoint = await EndpointAsync(host, receiver.Url);
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Healthy);
        await TamperAsync(host, tenant.Id, ResourceKeys.BucketPolicy);

        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Drifted);
        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Drifted);
        await SendAsync(host);
        await SendAsync(host);

        var told = Told(receiver, NotificationEventKind.TenantDrifted).ShouldHaveSingleItem();
        told.GetProperty("tenant").GetProperty("id").GetGuid().ShouldBe(tenant.Id);
        told.GetProperty("tenant").GetProperty("name").GetString().ShouldBe(tenant.DisplayName);
        told.GetProperty("status").GetString().ShouldBe("Drifted");
        told.GetProperty("previousStatus").GetString().ShouldBe("Healthy");
        told.GetProperty("text").GetString().ShouldNotBeNull().ShouldContain("out of line: ");
        told.GetProperty("text").GetString().ShouldNotBeNull().ShouldContain("S3 bucket policy", Case.Insensitive);
        var signed = receiver.Received.ShouldHaveSingleItem();
        signed.Headers[WebhookChannel.SignatureHeader].ShouldBe(
            NotificationDeliveryTests.Signature(endpoint.Secret!, signed.Headers[WebhookChannel.TimestampHeader], signed.Body), "the HMAC over the exact body verifies with the endpoint's secret");

        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);
        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Healthy);
        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Healthy);
        await SendAsync(host);

        var recovered = Told(receiver, NotificationEventKind.TenantRecovered).ShouldHaveSingleItem("healthy twice: told once");
        recovered.GetProperty("title").GetString().ShouldBe($"{tenant.DisplayName} is healthy again");
        recovered.GetProperty("status").GetString().ShouldBe("Healthy");
        recovered.GetProperty("previousStatus").GetString().ShouldBe("Drifted");
        recovered.GetProperty("text").GetString().ShouldBe("A drift check found every resource in line again; the tenant was Drifted before.");

        await TamperAsync(host, tenant.Id, ResourceKeys.BucketPolicy);
        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Drifted);
        await SendAsync(host);

        Told(receiver, NotificationEventKind.TenantDrifted).Count.ShouldBe(2, "healthy again, then drifted again: a new turn");
        receiver.Received.Select(r => r.Json.GetProperty("event").GetString()).ShouldBe(["TenantDrifted", "TenantRecovered", "TenantDrifted"], "nothing else happened to tell");
    }

    [Fact]
    public async Task A_failing_tenant_AWS_answers_for_again_is_told_healthy_again_once_and_one_never_in_trouble_never()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        await EndpointAsync(host, receiver.Url);
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Healthy);
        host.SandboxOptions.ThrottleRate = 1;
        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Failing);
        await SendAsync(host);
        host.SandboxOptions.ThrottleRate = 0;

        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Healthy);
        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Healthy);
        await SendAsync(host);

        receiver.Received.Select(r => r.Json.GetProperty("event").GetString()).ShouldBe(["TenantFailing", "TenantRecovered"],
            "Unknown to Healthy after the first convergence is no recovery; Failing to Healthy is, once");
        Told(receiver, NotificationEventKind.TenantRecovered).ShouldHaveSingleItem().GetProperty("previousStatus").GetString().ShouldBe("Failing");
    }

    [Fact]
    public async Task A_tenant_AWS_will_not_answer_for_is_told_failing_once_with_the_reason()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        await EndpointAsync(host, receiver.Url);
        var tenant = await host.CreateDemoAsync();
        host.SandboxOptions.ThrottleRate = 1;

        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Failing);
        (await DriftCheckerTests.CheckAsync(host, tenant.Id)).Status.ShouldBe(TenantHealthStatus.Failing);
        await SendAsync(host);

        var told = Told(receiver, NotificationEventKind.TenantFailing).ShouldHaveSingleItem();
        told.GetProperty("previousStatus").GetString().ShouldBe("Unknown");
        told.GetProperty("text").GetString().ShouldNotBeNull().ShouldContain("could not be checked: ");
        told.GetProperty("text").GetString().ShouldNotBeNull().ShouldContain("throttl", Case.Insensitive);
    }

    [Fact]
    public async Task A_failed_apply_is_told_once_with_its_error()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        await EndpointAsync(host, receiver.Url);
        var tenant = await host.CreateDemoAsync();
        host.SandboxOptions.ThrottleRate = 1;

        var apply = await host.ApplyAsync(tenant.Id);
        await SendAsync(host);
        await SendAsync(host);

        apply.State.ShouldBe(ApplyState.Failed);
        var told = Told(receiver, NotificationEventKind.ApplyFailed).ShouldHaveSingleItem();
        told.GetProperty("applyId").GetGuid().ShouldBe(apply.Id);
        told.GetProperty("title").GetString().ShouldBe($"An apply of {tenant.DisplayName} failed");
        told.GetProperty("text").GetString().ShouldBe(apply.Error);
    }

    [Fact]
    public async Task A_succeeded_apply_tells_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        await EndpointAsync(host, receiver.Url);
        var tenant = await host.CreateDemoAsync();

        (await host.ApplyAsync(tenant.Id)).State.ShouldBe(ApplyState.Succeeded);
        await SendAsync(host);

        receiver.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task Going_live_is_told_each_time_the_tenant_goes_live_and_only_then()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        await EndpointAsync(host, receiver.Url);
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        await DriftCheckerTests.CheckAsync(host, tenant.Id);
        foreach (var key in GoLiveChecks.Manual)
        {
            await RecordAsync(host, tenant.Id, key, "Passed", null);
        }

        await DriftCheckerTests.CheckAsync(host, tenant.Id);
        await SendAsync(host);
        var first = Told(receiver, NotificationEventKind.TenantLive).ShouldHaveSingleItem();

        (await RecordAsync(host, tenant.Id, GoLiveChecks.TestCall, "Failed", "Rang in the session.")).IsLive.ShouldBeFalse();
        (await RecordAsync(host, tenant.Id, GoLiveChecks.TestCall, "Passed", null)).IsLive.ShouldBeTrue();
        await RecordAsync(host, tenant.Id, GoLiveChecks.TestCall, "Passed", null);
        await SendAsync(host);

        first.GetProperty("title").GetString().ShouldBe($"{tenant.DisplayName} is live");
        first.GetProperty("text").GetString().ShouldBe($"The tenant is live: all {GoLiveChecks.All.Count} go-live checks passed.");
        Told(receiver, NotificationEventKind.TenantLive).Count.ShouldBe(2, "it went live again after a failed check ended it");
    }

    internal static Task<ReconciliationTestHost> StartAsync(StorageProvider provider) => ReconciliationTestHost.StartAsync(
        extraSettings: new Dictionary<string, string?> { ["SplitCcp:Notifications:Enabled"] = "false" }, provider: provider);

    private Task<ReconciliationTestHost> StartAsync() => StartAsync(Provider);

    /// <summary>An endpoint for every event of every tenant.</summary>
    internal static async Task<SavedEndpoint> EndpointAsync(ReconciliationTestHost host, string url) =>
        (await host.Services.GetRequiredService<NotificationService>().CreateAsync(host.Operator.Principal,
            NotificationDeliveryTests.Input(url) with { AllTenants = true })).ShouldBeOfType<EndpointSaveResult.Saved>().Result;

    internal static async Task SendAsync(ReconciliationTestHost host) =>
        await host.Services.GetRequiredService<NotificationDispatcher>().RunOnceAsync(CancellationToken.None);

    internal static List<System.Text.Json.JsonElement> Told(WebhookReceiver receiver, NotificationEventKind kind) =>
        [.. receiver.Received.Select(r => r.Json).Where(j => j.GetProperty("event").GetString() == kind.ToString())];

    internal static async Task TamperAsync(ReconciliationTestHost host, Guid tenantId, string resource) =>
        (await host.Services.GetRequiredService<SandboxChanges>().ApplyAsync(await host.TenantAsync(tenantId), new SandboxChangeRequest(resource, SandboxChangeKind.Delete)))
            .ShouldBeOfType<SandboxChangeResult.Done>();

    private static async Task<GoLiveReport> RecordAsync(ReconciliationTestHost host, Guid tenantId, string key, string result, string? note) =>
        (await host.Services.GetRequiredService<GoLiveService>().RecordAsync(await host.TenantAsync(tenantId), key, new GoLiveResultInput(result, note, null)))
            .ShouldBeOfType<GoLiveRecordResult.Recorded>().Report;
}

/// <summary>The same facts on PostgreSQL.</summary>
[Collection(RealTimeTests.Name)]
public sealed class PostgreSqlNotificationEventTests() : NotificationEventTests(StorageProvider.PostgreSql);

/// <summary>Portal replicas on one PostgreSQL database tell each change once, whichever sees it and whichever sends it.</summary>
[Collection(RealTimeTests.Name)]
public sealed class PostgreSqlNotificationReplicaTests
{
    [Fact]
    public async Task Two_replicas_that_check_a_drifted_tenant_at_once_record_one_event_and_deliver_it_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationEventTests.StartAsync(StorageProvider.PostgreSql);
        await using var replica = await host.Host.StartReplicaAsync();
        await NotificationEventTests.EndpointAsync(host, receiver.Url);
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.ConvergeAsync(host, tenant);
        await DriftCheckerTests.CheckAsync(host, tenant.Id);
        await NotificationEventTests.TamperAsync(host, tenant.Id, ResourceKeys.BucketPolicy);

        var checks = await Task.WhenAll(
            host.Services.GetRequiredService<DriftService>().CheckNowAsync(await host.TenantAsync(tenant.Id)),
            replica.Services.GetRequiredService<DriftService>().CheckNowAsync(await host.TenantAsync(tenant.Id)));
        await Task.WhenAll(
            host.Services.GetRequiredService<NotificationDispatcher>().RunOnceAsync(CancellationToken.None),
            replica.Services.GetRequiredService<NotificationDispatcher>().RunOnceAsync(CancellationToken.None));

        checks.ShouldAllBe(c => ((CheckResult.Checked)c).Report.Status == TenantHealthStatus.Drifted);
        (await host.Host.QueryScalarAsync("SELECT COUNT(*) FROM \"NotificationEvents\" WHERE \"Kind\" = 'TenantDrifted'")).ShouldBe(1L);
        NotificationEventTests.Told(receiver, NotificationEventKind.TenantDrifted).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Two_replicas_sending_the_outbox_at_once_send_each_delivery_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer([.. Enumerable.Repeat(new WebhookAnswer(200, "ok", Delay: TimeSpan.FromMilliseconds(50)), 40)]);
        await using var host = await NotificationEventTests.StartAsync(StorageProvider.PostgreSql);
        await using var replica = await host.Host.StartReplicaAsync();
        await NotificationEventTests.EndpointAsync(host, receiver.Url);
        var tenant = await host.Host.CreateTenantAsync(host.Operator.Principal, "replicated");
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync())
        {
            for (var i = 0; i < 40; i++)
            {
                db.NotificationEvents.Add(NotificationOutbox.ApplyFailed(tenant.Id, Guid.CreateVersion7(), $"apply {i} failed", DateTime.UtcNow));
            }

            await db.SaveChangesAsync();
        }

        var rounds = await Task.WhenAll(
            host.Services.GetRequiredService<NotificationDispatcher>().RunOnceAsync(CancellationToken.None),
            replica.Services.GetRequiredService<NotificationDispatcher>().RunOnceAsync(CancellationToken.None),
            host.Services.GetRequiredService<NotificationDispatcher>().RunOnceAsync(CancellationToken.None),
            replica.Services.GetRequiredService<NotificationDispatcher>().RunOnceAsync(CancellationToken.None));

        rounds.Sum().ShouldBe(40);
        receiver.Received.Count.ShouldBe(40);
        receiver.Received.Select(r => r.Headers[WebhookChannel.DeliveryHeader]).Distinct().Count().ShouldBe(40);
        receiver.Received.Select(r => r.Json.GetProperty("text").GetString()).Distinct().Count().ShouldBe(40);
    }
}
