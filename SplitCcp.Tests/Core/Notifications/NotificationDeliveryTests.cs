using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SplitCcp.Core.Notifications;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Notifications;

/// <summary>The outbox sent to a real receiver on a loopback port: signatures, retries, what is never retried, who sees what.</summary>
public class NotificationDeliveryTests
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(10);

    public NotificationDeliveryTests()
        : this(StorageProvider.Sqlite)
    {
    }

    protected NotificationDeliveryTests(StorageProvider provider)
    {
        Provider = provider;
    }

    protected StorageProvider Provider { get; }

    [Fact]
    public async Task A_generic_delivery_is_signed_over_the_exact_body_with_the_endpoints_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        var saved = await CreateEndpointAsync(host, op, receiver.Url);
        var applyId = Guid.CreateVersion7();
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, applyId, "1 step failed. First: S3 bucket: AWS denied s3:CreateBucket.", Now(host)));

        (await Dispatcher(host).RunOnceAsync(CancellationToken.None)).ShouldBe(1);

        var request = receiver.Received.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Headers["Content-Type"].ShouldBe("application/json; charset=utf-8");
        var timestamp = request.Headers[WebhookChannel.TimestampHeader];
        timestamp.ShouldBe(host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers[WebhookChannel.SignatureHeader].ShouldBe(Signature(saved.Secret!, timestamp, request.Body));
        request.Headers[WebhookChannel.SignatureHeader].ShouldNotBe(Signature(saved.Secret! + "x", timestamp, request.Body));
        request.Headers[WebhookChannel.EventHeader].ShouldBe("ApplyFailed");
        request.Json.GetProperty("event").GetString().ShouldBe("ApplyFailed");
        request.Json.GetProperty("applyId").GetGuid().ShouldBe(applyId);
        request.Json.GetProperty("tenant").GetProperty("name").GetString().ShouldBe("Tenant acme");
        request.Json.GetProperty("text").GetString().ShouldBe("1 step failed. First: S3 bucket: AWS denied s3:CreateBucket.");
        request.Json.GetProperty("deliveryId").GetString().ShouldBe(request.Headers[WebhookChannel.DeliveryHeader]);

        var delivery = (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem();
        delivery.ShouldSatisfyAllConditions(
            d => d.State.ShouldBe(DeliveryState.Delivered),
            d => d.Attempts.ShouldBe(1),
            d => d.LastStatusCode.ShouldBe(200),
            d => d.LastResponse.ShouldBe("ok"),
            d => d.TenantName.ShouldBe("Tenant acme"),
            d => d.Id.ToString().ShouldBe(request.Headers[WebhookChannel.DeliveryHeader]));
    }

    [Fact]
    public async Task A_server_error_is_retried_after_a_back_off_with_the_same_body_and_then_delivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(new WebhookAnswer(500, "busy"));
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        await CreateEndpointAsync(host, op, receiver.Url);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));

        await Dispatcher(host).RunOnceAsync(CancellationToken.None);
        var waiting = (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem();
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        waiting.State.ShouldBe(DeliveryState.Pending);
        waiting.Attempts.ShouldBe(1);
        waiting.LastStatusCode.ShouldBe(500);
        waiting.LastResponse.ShouldBe("busy");
        waiting.NextAttemptAt.ShouldNotBeNull().ShouldBeInRange(Now(host) + (s_retryDelay / 2), Now(host) + s_retryDelay);
        receiver.Received.Count.ShouldBe(1, "not due again before its back-off");

        host.Time.Advance(s_retryDelay);
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        var requests = receiver.Received.ToList();
        requests.Count.ShouldBe(2);
        requests[1].Body.ShouldBe(requests[0].Body);
        requests[1].Headers[WebhookChannel.DeliveryHeader].ShouldBe(requests[0].Headers[WebhookChannel.DeliveryHeader]);
        var delivered = (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem();
        delivered.State.ShouldBe(DeliveryState.Delivered);
        delivered.Attempts.ShouldBe(2);
        delivered.LastStatusCode.ShouldBe(200);
        delivered.NextAttemptAt.ShouldBeNull();
    }

    [Fact]
    public async Task A_client_error_is_not_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(new WebhookAnswer(400, "{\"error\":\"unknown field\"}"));
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        await CreateEndpointAsync(host, op, receiver.Url);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));

        await Dispatcher(host).RunOnceAsync(CancellationToken.None);
        host.Time.Advance(TimeSpan.FromHours(2));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        receiver.Received.Count.ShouldBe(1);
        var delivery = (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem();
        delivery.State.ShouldBe(DeliveryState.Failed);
        delivery.Attempts.ShouldBe(1);
        delivery.LastStatusCode.ShouldBe(400);
        delivery.LastResponse.ShouldBe("{\"error\":\"unknown field\"}");
        delivery.LastError.ShouldNotBeNull().ShouldContain("not sent again");
    }

    [Fact]
    public async Task Server_errors_are_retried_up_to_the_last_attempt_and_then_given_up()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(new WebhookAnswer(502, ""), new WebhookAnswer(503, ""), new WebhookAnswer(500, "still down"));
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        await CreateEndpointAsync(host, op, receiver.Url);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));

        for (var round = 0; round < 5; round++)
        {
            await Dispatcher(host).RunOnceAsync(CancellationToken.None);
            host.Time.Advance(TimeSpan.FromMinutes(1));
        }

        receiver.Received.Count.ShouldBe(3, "three attempts in all");
        var delivery = (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem();
        delivery.State.ShouldBe(DeliveryState.Failed);
        delivery.Attempts.ShouldBe(3);
        delivery.LastStatusCode.ShouldBe(500);
        delivery.LastError.ShouldNotBeNull().ShouldEndWith("Gave up after 3 attempts.");
    }

    [Fact]
    public async Task An_endpoint_that_does_not_answer_in_time_is_tried_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(new WebhookAnswer(200, "too late", Delay: TimeSpan.FromSeconds(30)));
        await using var host = await CoreTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["SplitCcp:Notifications:Enabled"] = "false",
            ["SplitCcp:Notifications:Timeout"] = "00:00:00.300",
            ["SplitCcp:Notifications:RetryDelay"] = "00:00:00.050",
            ["SplitCcp:Notifications:MaxRetryDelay"] = "00:00:00.100",
        }, realTime: true, provider: Provider);
        var (op, tenant) = await OperatorAndTenantAsync(host);
        await CreateEndpointAsync(host, op, receiver.Url);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", DateTime.UtcNow));

        await Dispatcher(host).RunOnceAsync(CancellationToken.None);
        var timedOut = (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem();
        await Task.Delay(TimeSpan.FromMilliseconds(150));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        timedOut.State.ShouldBe(DeliveryState.Pending);
        timedOut.LastStatusCode.ShouldBeNull();
        timedOut.LastError.ShouldBe("No answer within 300 ms.");
        receiver.Received.Count.ShouldBe(2);
        var delivered = (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem();
        delivered.State.ShouldBe(DeliveryState.Delivered);
        delivered.Attempts.ShouldBe(2);
    }

    [Fact]
    public async Task A_429_is_retried_no_sooner_than_its_Retry_After()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(new WebhookAnswer(429, "slow down", RetryAfter: "45"));
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        await CreateEndpointAsync(host, op, receiver.Url);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));

        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        var delivery = (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem();
        delivery.State.ShouldBe(DeliveryState.Pending);
        delivery.LastStatusCode.ShouldBe(429);
        delivery.NextAttemptAt.ShouldBe(Now(host) + TimeSpan.FromSeconds(45));
    }

    /// <summary>Where a name typed as a public host may come to resolve: the cloud's metadata service, or a service inside the portal's network.</summary>
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data", "169.254.169.254 resolves to 169.254.169.254, a link-local, multicast or unspecified address, which no webhook receiver has.")]
    [InlineData("http://10.11.12.13:8080/admin", "10.11.12.13 resolves to 10.11.12.13, a private network address: webhooks go to the internet (or this machine) unless the portal allows private networks (SplitCcp:Notifications:AllowPrivateNetworks).")]
    public async Task An_endpoint_that_leads_to_an_address_no_webhook_goes_to_is_never_connected_to_nor_retried(string url, string error)
    {
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        var saved = await CreateEndpointAsync(host, op, "https://hooks.example.com/splitccp");
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync())
        {
            var stored = host.Services.GetRequiredService<EndpointSecrets>().ProtectUrl(url);
            await db.NotificationEndpoints.Where(e => e.Id == saved.Endpoint.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.ProtectedUrl, stored));
        }

        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));

        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        var delivery = (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem();
        delivery.State.ShouldBe(DeliveryState.Failed);
        delivery.Attempts.ShouldBe(1);
        delivery.LastStatusCode.ShouldBeNull();
        delivery.LastError.ShouldBe(error);
    }

    /// <summary>For Slack and Teams the address is the credential: whoever reads it can post to the channel.</summary>
    [Fact]
    public async Task A_webhook_address_is_stored_encrypted_shown_without_its_path_and_still_used_whole()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        var url = receiver.Url + "/T0001/B0002/s3cretPart";
        var shown = new Uri(receiver.Url).GetLeftPart(UriPartial.Authority) + "/…";

        var saved = await CreateEndpointAsync(host, op, url);

        saved.Endpoint.Url.ShouldBe(shown);
        (await Service(host).ListAsync(op)).ShouldHaveSingleItem().Url.ShouldBe(shown);
        (await Service(host).GetAsync(op, saved.Endpoint.Id)).ShouldNotBeNull().Url.ShouldBe(shown);
        var stored = await StoredAddressAsync(host);
        stored.ShouldStartWith(shown + " ");
        stored.ShouldNotContain("s3cretPart");
        stored.ShouldNotContain("T0001");

        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));
        (await Dispatcher(host).RunOnceAsync(CancellationToken.None)).ShouldBe(1);
        receiver.Received.ShouldHaveSingleItem().Path.ShouldBe("/hook/T0001/B0002/s3cretPart");
    }

    [Fact]
    public async Task A_change_that_leaves_the_address_out_keeps_it_and_one_that_gives_it_replaces_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        var saved = await CreateEndpointAsync(host, op, receiver.Url + "/first");

        var renamed = await Service(host).UpdateAsync(op, saved.Endpoint.Id, Input(url: " ", name: "Renamed") with { AllTenants = true });
        renamed.ShouldBeOfType<EndpointSaveResult.Saved>().Result.Endpoint.Name.ShouldBe("Renamed");
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        (await Service(host).UpdateAsync(op, saved.Endpoint.Id, Input(receiver.Url + "/second") with { AllTenants = true }))
            .ShouldBeOfType<EndpointSaveResult.Saved>();
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed again", Now(host)));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        receiver.Received.Select(r => r.Path).ShouldBe(["/hook/first", "/hook/second"]);
    }

    /// <summary>The caller cannot see the address a change keeps, so when it will not do, the message says which one and why.</summary>
    [Theory]
    [InlineData("http://hooks.example.com/T0001/s3cretPart", "The current address (http://hooks.example.com/…) is no longer allowed. Use https://. Plain http:// is only for a receiver on this machine")]
    [InlineData(null, "The current address can no longer be read: the Data Protection key it was encrypted with is gone. Enter the address again.")]
    public async Task A_change_that_keeps_an_address_that_no_longer_does_says_so_and_changes_nothing(string? stored, string error)
    {
        await using var host = await StartAsync();
        var (op, _) = await OperatorAndTenantAsync(host);
        var saved = await CreateEndpointAsync(host, op, "https://hooks.example.com/T0001/s3cretPart");
        var protectedUrl = stored is null ? "not what Data Protection makes" : host.Services.GetRequiredService<EndpointSecrets>().ProtectUrl(stored);
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync())
        {
            await db.NotificationEndpoints.Where(e => e.Id == saved.Endpoint.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.ProtectedUrl, protectedUrl));
        }

        var result = await Service(host).UpdateAsync(op, saved.Endpoint.Id, Input(url: "", name: "Renamed") with { AllTenants = true });

        var message = result.ShouldBeOfType<EndpointSaveResult.Invalid>().Errors.ShouldHaveSingleItem();
        message.Key.ShouldBe("url");
        message.Value.ShouldHaveSingleItem().ShouldStartWith(error);
        message.Value[0].ShouldNotContain("s3cretPart");
        (await Service(host).GetAsync(op, saved.Endpoint.Id)).ShouldNotBeNull().Name.ShouldBe("Ops");
    }

    [Fact]
    public async Task An_address_an_older_version_stored_in_plain_text_is_encrypted_at_start_and_still_used()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        var url = receiver.Url + "/T0001/s3cretPart";
        var saved = await CreateEndpointAsync(host, op, url);
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync())
        {
            await db.NotificationEndpoints.Where(e => e.Id == saved.Endpoint.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Url, url).SetProperty(e => e.ProtectedUrl, ""));
        }

        (await Service(host).GetAsync(op, saved.Endpoint.Id)).ShouldNotBeNull().Url.ShouldBe(saved.Endpoint.Url, "shown without its path even before");
        await using (var scope = host.Services.CreateAsyncScope())
        {
            foreach (var seed in scope.ServiceProvider.GetServices<IDatabaseSeed>())
            {
                await seed.SeedAsync(CancellationToken.None);
            }
        }

        var stored = await StoredAddressAsync(host);
        stored.ShouldStartWith(saved.Endpoint.Url + " ");
        stored.ShouldNotContain("s3cretPart");
        if (Provider == StorageProvider.Sqlite)
        {
            // On PostgreSQL the old row version stays until vacuum, as in any backup made before: the README says so.
            host.DatabaseFilesContain("s3cretPart").ShouldBeFalse("the plain copy is overwritten, not left in the file's free space or its log");
        }

        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);
        receiver.Received.ShouldHaveSingleItem().Path.ShouldBe("/hook/T0001/s3cretPart");
    }

    [Fact]
    public async Task Only_enabled_endpoints_that_chose_the_event_and_the_tenant_get_a_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        var other = await host.CreateTenantAsync(CoreTestHost.DirectoryOperator, "other");
        await CreateEndpointAsync(host, op, receiver.Url, name: "every tenant");
        await CreateEndpointAsync(host, op, receiver.Url, name: "ours", tenants: [tenant]);
        await CreateEndpointAsync(host, op, receiver.Url, name: "disabled", enabled: false);
        await CreateEndpointAsync(host, op, receiver.Url, name: "live only", events: [NotificationEventKind.TenantLive]);
        await CreateEndpointAsync(host, op, receiver.Url, name: "the other tenant", tenants: [other.Id]);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));

        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        receiver.Received.Count.ShouldBe(2);
        (await Service(host).ListDeliveriesAsync(op)).Select(d => d.EndpointName).ShouldBe(["every tenant", "ours"], ignoreOrder: true);
    }

    [Fact]
    public async Task An_event_is_fanned_out_and_sent_once_however_many_rounds_run_at_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(new WebhookAnswer(200, "ok", Delay: TimeSpan.FromMilliseconds(200)));
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        await CreateEndpointAsync(host, op, receiver.Url);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Dispatcher(host).RunOnceAsync(CancellationToken.None)));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        receiver.Received.ShouldHaveSingleItem();
        (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem().State.ShouldBe(DeliveryState.Delivered);
    }

    [Fact]
    public async Task A_round_with_nothing_to_fan_out_and_nothing_due_is_one_read()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(new WebhookAnswer(500, "busy"));
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        await CreateEndpointAsync(host, op, receiver.Url);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        var idle = await DbCommandRecorder.RecordAsync(() => Dispatcher(host).RunOnceAsync(CancellationToken.None));

        (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem().State.ShouldBe(DeliveryState.Pending, "a retry waits, not due yet");
        idle.ShouldHaveSingleItem("every replica runs a round every few seconds");
        idle.ShouldNotContain(c => c.Contains("UPDATE", StringComparison.OrdinalIgnoreCase), "an idle round claims nothing");
    }

    [Fact]
    public async Task Events_no_endpoint_hears_are_fanned_out_together_in_a_few_statements()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        await CreateEndpointAsync(host, op, receiver.Url, events: [NotificationEventKind.TenantLive]);
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync())
        {
            // As a pass that finds every tenant failing at once (AWS down) writes them.
            for (var i = 0; i < 60; i++)
            {
                db.NotificationEvents.Add(NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), $"apply {i} failed", Now(host)));
            }

            await db.SaveChangesAsync();
        }

        var round = await DbCommandRecorder.RecordAsync(() => Dispatcher(host).RunOnceAsync(CancellationToken.None));

        (await host.QueryScalarAsync("SELECT COUNT(*) FROM \"NotificationEvents\" WHERE \"FannedOutAt\" IS NULL")).ShouldBe(0L);
        (await host.QueryScalarAsync("SELECT COUNT(*) FROM \"NotificationEvents\" WHERE \"TenantName\" = 'Tenant acme'")).ShouldBe(60L);
        (await host.QueryScalarAsync("SELECT COUNT(*) FROM \"NotificationDeliveries\"")).ShouldBe(0L);
        round.Count.ShouldBeLessThanOrEqualTo(8, string.Join("\n", round));
        receiver.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_secret_is_shown_once_kept_encrypted_and_neither_it_nor_a_signature_nor_the_url_is_logged()
    {
        var log = new AllLog();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(new WebhookAnswer(500, "busy"));
        await using var host = await StartAsync(configure: services =>
        {
            services.AddSingleton<ILoggerProvider>(log);
            services.Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Trace);
        });
        var (op, tenant) = await OperatorAndTenantAsync(host);
        var url = receiver.Url + "/T0SECRETPATH";
        var saved = await CreateEndpointAsync(host, op, url);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);
        await Service(host).SendTestAsync(op, saved.Endpoint.Id);

        var secret = saved.Secret.ShouldNotBeNull();
        secret.ShouldStartWith(EndpointSecrets.Prefix);
        secret.Length.ShouldBeGreaterThanOrEqualTo(EndpointSecrets.Prefix.Length + 43);
        (await Service(host).UpdateAsync(op, saved.Endpoint.Id, Input(url) with { AllTenants = true })).ShouldBeOfType<EndpointSaveResult.Saved>().Result.Secret.ShouldBeNull();
        host.DatabaseFilesContain(secret).ShouldBeFalse("the secret is kept encrypted");
        var signatures = receiver.Received.Select(r => r.Headers[WebhookChannel.SignatureHeader]).ToList();
        signatures.Count.ShouldBe(3);
        log.Entries.ShouldNotBeEmpty();
        log.Entries.ShouldContain(e => e.Contains(saved.Endpoint.Id.ToString(), StringComparison.Ordinal), "deliveries are logged by endpoint");
        foreach (var entry in log.Entries)
        {
            entry.ShouldNotContain(secret);
            entry.ShouldNotContain("T0SECRETPATH");
            foreach (var signature in signatures)
            {
                entry.ShouldNotContain(signature["sha256=".Length..]);
            }
        }
    }

    [Fact]
    public async Task Rotating_the_secret_signs_later_deliveries_with_the_new_one_shown_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var (op, _) = await OperatorAndTenantAsync(host);
        var saved = await CreateEndpointAsync(host, op, receiver.Url);

        var rotated = (await Service(host).UpdateAsync(op, saved.Endpoint.Id, Input(receiver.Url) with { AllTenants = true, RotateSecret = true }))
            .ShouldBeOfType<EndpointSaveResult.Saved>().Result;
        await Service(host).SendTestAsync(op, saved.Endpoint.Id);

        rotated.Secret.ShouldNotBeNull().ShouldNotBe(saved.Secret);
        var request = receiver.Received.ShouldHaveSingleItem();
        request.Headers[WebhookChannel.SignatureHeader].ShouldBe(Signature(rotated.Secret, request.Headers[WebhookChannel.TimestampHeader], request.Body));
    }

    [Fact]
    public async Task Send_test_sends_once_even_to_a_disabled_endpoint_and_answers_how_it_went()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(new WebhookAnswer(503, "maintenance"));
        await using var host = await StartAsync();
        var (op, _) = await OperatorAndTenantAsync(host);
        var saved = await CreateEndpointAsync(host, op, receiver.Url, enabled: false, format: WebhookFormat.Slack);

        var result = (await Service(host).SendTestAsync(op, saved.Endpoint.Id)).ShouldNotBeNull();
        host.Time.Advance(TimeSpan.FromHours(1));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        result.Event.ShouldBe(NotificationEventKind.Test);
        result.State.ShouldBe(DeliveryState.Failed, "a test is sent once: the operator is waiting for its answer");
        result.LastStatusCode.ShouldBe(503);
        result.LastResponse.ShouldBe("maintenance");
        receiver.Received.ShouldHaveSingleItem().Json.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString()
            .ShouldBe("Test notification from SplitCcp");
        (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem().Id.ShouldBe(result.Id);
    }

    [Fact]
    public async Task Deleting_an_endpoint_drops_what_it_had_still_to_send_with_its_log()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(new WebhookAnswer(500, "busy"));
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        var saved = await CreateEndpointAsync(host, op, receiver.Url);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        (await Service(host).DeleteAsync(op, saved.Endpoint.Id)).ShouldBeTrue();
        host.Time.Advance(TimeSpan.FromHours(1));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        receiver.Received.Count.ShouldBe(1);
        (await host.QueryScalarAsync("SELECT COUNT(*) FROM \"NotificationDeliveries\"")).ShouldBe(0L);
        (await Service(host).GetAsync(op, saved.Endpoint.Id)).ShouldBeNull();
    }

    [Fact]
    public async Task A_tenant_admin_manages_only_endpoints_that_chose_their_own_tenants_and_a_viewer_none()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var (op, ours) = await OperatorAndTenantAsync(host);
        var theirs = (await host.CreateTenantAsync(CoreTestHost.DirectoryOperator, "theirs")).Id;
        var admin = (await host.CreateUserAsync(Roles.TenantAdmin, ours)).Principal;
        var viewer = await host.CreateUserAsync(Roles.Viewer, ours);
        var everyTenant = await CreateEndpointAsync(host, op, receiver.Url, name: "MSP: every tenant");
        var theirEndpoint = await CreateEndpointAsync(host, op, receiver.Url, name: "Theirs", tenants: [theirs]);
        var mixed = await CreateEndpointAsync(host, op, receiver.Url, name: "Ours and theirs", tenants: [ours, theirs]);

        var allRefused = (await Service(host).CreateAsync(admin, Input(receiver.Url) with { AllTenants = true })).ShouldBeOfType<EndpointSaveResult.Invalid>();
        var otherRefused = (await Service(host).CreateAsync(admin, Input(receiver.Url) with { TenantIds = [ours, theirs] })).ShouldBeOfType<EndpointSaveResult.Invalid>();
        var mine = (await Service(host).CreateAsync(admin, Input(receiver.Url, "Our channel") with { TenantIds = [ours] })).ShouldBeOfType<EndpointSaveResult.Saved>().Result;
        await Service(host).SendTestAsync(op, everyTenant.Endpoint.Id);
        await Service(host).SendTestAsync(admin, mine.Endpoint.Id);

        allRefused.Errors["tenantIds"].ShouldBe(["Only an MSP operator can choose every tenant; choose your tenants instead."]);
        otherRefused.Errors["tenantIds"].ShouldBe(["Choose only tenants you manage."]);
        (await Service(host).ListAsync(admin)).Select(e => e.Name).ShouldBe(["Our channel"]);
        (await Service(host).ListAsync(op)).Count.ShouldBe(4);
        foreach (var hidden in new[] { everyTenant, theirEndpoint, mixed })
        {
            var id = hidden.Endpoint.Id;
            (await Service(host).GetAsync(admin, id)).ShouldBeNull();
            (await Service(host).UpdateAsync(admin, id, Input(receiver.Url) with { TenantIds = [ours] })).ShouldBeOfType<EndpointSaveResult.NotFound>();
            (await Service(host).SendTestAsync(admin, id)).ShouldBeNull();
            (await Service(host).DeleteAsync(admin, id)).ShouldBeFalse();
        }

        (await Service(host).ListDeliveriesAsync(admin)).ShouldHaveSingleItem().EndpointName.ShouldBe("Our channel");
        (await Service(host).ListDeliveriesAsync(op)).Count.ShouldBe(2);
        await Should.ThrowAsync<NotificationAccessDeniedException>(() => Service(host).ListAsync(viewer.Principal));
        await Should.ThrowAsync<NotificationAccessDeniedException>(() => Service(host).ListDeliveriesAsync(viewer.Principal));
        (await Service(host).PermissionsAsync(viewer.Principal)).Read.ShouldBeFalse();
        var readOnly = CoreTestHost.PrincipalFor((await host.CreateUserAsync(Roles.TenantAdmin, ours)).Id, Roles.TenantAdmin, readOnly: true);
        (await Should.ThrowAsync<NotificationAccessDeniedException>(() => Service(host).CreateAsync(readOnly, Input(receiver.Url) with { TenantIds = [ours] })))
            .Message.ShouldBe("This API token is read-only.");
        (await Service(host).DeleteAsync(admin, mine.Endpoint.Id)).ShouldBeTrue();
    }

    [Fact]
    public async Task Pruning_a_log_with_nothing_past_the_retention_writes_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var (op, _) = await OperatorAndTenantAsync(host);
        var saved = await CreateEndpointAsync(host, op, receiver.Url);
        await Service(host).SendTestAsync(op, saved.Endpoint.Id);

        var commands = await DbCommandRecorder.RecordAsync(() => Dispatcher(host).PruneAsync(CancellationToken.None));

        commands.ShouldNotBeEmpty("it looks for what the log no longer keeps");
        commands.ShouldNotContain(c => DbCommandRecorder.IsWrite(c), "every replica prunes at start, and a read-only disk must not fail an idle portal");
        (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Finished_deliveries_older_than_the_retention_are_let_go_with_their_events()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var (op, tenant) = await OperatorAndTenantAsync(host);
        var saved = await CreateEndpointAsync(host, op, receiver.Url);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);
        host.Time.Advance(TimeSpan.FromDays(29));
        await Service(host).SendTestAsync(op, saved.Endpoint.Id);

        host.Time.Advance(TimeSpan.FromDays(2));
        await Dispatcher(host).PruneAsync(CancellationToken.None);

        (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem().Event.ShouldBe(NotificationEventKind.Test);
        (await host.QueryScalarAsync("SELECT COUNT(*) FROM \"NotificationEvents\"")).ShouldBe(1L);
    }

    internal static string Signature(string secret, string timestamp, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray()));

    /// <summary>Core on a fake clock with the worker off, so each test runs the outbox itself: retries after 10 s doubling to a minute, three attempts.</summary>
    private Task<CoreTestHost> StartAsync(Action<IServiceCollection>? configure = null) => CoreTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["SplitCcp:Notifications:Enabled"] = "false",
        ["SplitCcp:Notifications:RetryDelay"] = "00:00:10",
        ["SplitCcp:Notifications:MaxRetryDelay"] = "00:01:00",
        ["SplitCcp:Notifications:MaxAttempts"] = "3",
    }, configureServices: configure, provider: Provider);

    private static async Task<(ClaimsPrincipal Operator, Guid Tenant)> OperatorAndTenantAsync(CoreTestHost host)
    {
        var op = await host.CreateOperatorAsync();
        return (op.Principal, (await host.CreateTenantAsync(CoreTestHost.DirectoryOperator, "acme")).Id);
    }

    internal static EndpointInput Input(string url, string name = "Ops", WebhookFormat format = WebhookFormat.GenericJson) => new()
    {
        Name = name,
        Url = url,
        Format = format,
        Events = NotificationEvents.Choosable,
        AllTenants = false,
        Enabled = true,
    };

    private static async Task<SavedEndpoint> CreateEndpointAsync(
        CoreTestHost host, ClaimsPrincipal user, string url, string name = "Ops", bool enabled = true, WebhookFormat format = WebhookFormat.GenericJson,
        IReadOnlyList<NotificationEventKind>? events = null, IReadOnlyList<Guid>? tenants = null) =>
        (await Service(host).CreateAsync(user, Input(url, name, format) with
        {
            Enabled = enabled,
            Events = events ?? NotificationEvents.Choosable,
            AllTenants = tenants is null,
            TenantIds = tenants ?? [],
        })).ShouldBeOfType<EndpointSaveResult.Saved>().Result;

    internal static async Task RecordAsync(CoreTestHost host, NotificationEvent e)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync();
        db.NotificationEvents.Add(e);
        await db.SaveChangesAsync();
    }

    /// <summary>The one endpoint's address columns as stored, shown form then encrypted, with a space between.</summary>
    private static async Task<string> StoredAddressAsync(CoreTestHost host) =>
        (string)(await host.QueryScalarAsync("SELECT \"Url\" || ' ' || \"ProtectedUrl\" FROM \"NotificationEndpoints\""))!;

    internal static DateTime Now(CoreTestHost host) => host.Time.GetUtcNow().UtcDateTime;

    internal static NotificationService Service(CoreTestHost host) => host.Services.GetRequiredService<NotificationService>();

    internal static NotificationDispatcher Dispatcher(CoreTestHost host) => host.Services.GetRequiredService<NotificationDispatcher>();

    /// <summary>Everything every logger says, at every level, with its exception.</summary>
    private sealed class AllLog : ILoggerProvider
    {
        public ConcurrentQueue<string> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Entries);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue($"{formatter(state, exception)} {exception}");
        }
    }
}

/// <summary>The same facts on PostgreSQL.</summary>
public sealed class PostgreSqlNotificationDeliveryTests() : NotificationDeliveryTests(StorageProvider.PostgreSql);
