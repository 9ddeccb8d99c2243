using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Notifications;
using SplitCcp.Core.Persistence;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Notifications;

/// <summary>E-mail endpoints, sent through a real SMTP server: what the mail says, who may make one, and what fails how.</summary>
public sealed class EmailNotificationTests : IDisposable
{
    private readonly SmtpSink _smtp = SmtpSink.Start();

    [Fact]
    public async Task A_drifted_tenant_is_mailed_to_every_recipient_once_with_a_link_to_its_page()
    {
        await using var host = await StartAsync(withMail: true);
        var (op, tenant) = await OperatorAndTenantAsync(host);
        var saved = await CreateAsync(host, op, ["ops@msp.example", "noc@msp.example"]);
        saved.Secret.ShouldBeNull("an e-mail endpoint signs nothing, so it has no secret");
        saved.Endpoint.Recipients.ShouldBe(["ops@msp.example", "noc@msp.example"]);

        await RecordAsync(host, NotificationOutbox.TenantTurned(NotificationEventKind.TenantDrifted, tenant, "Healthy", "Drifted", null, "2 resources differ from the plan.", Now(host)));
        (await Dispatcher(host).RunOnceAsync(CancellationToken.None)).ShouldBe(1);

        var mail = await _smtp.WaitForMessageAsync("ops@msp.example");
        mail.To.Mailboxes.Select(m => m.Address).ShouldBe(["ops@msp.example", "noc@msp.example"]);
        mail.Subject.ShouldBe("[SplitCcp] Tenant acme drifted");
        var text = mail.TextBody.ShouldNotBeNull();
        text.ShouldContain("2 resources differ from the plan.");
        text.ShouldContain("Status: Drifted (was Healthy)");
        text.ShouldContain($"Open it in SplitCcp: https://portal.msp.example/tenants/{tenant}");
        mail.HtmlBody.ShouldBeNull("plain text only: no tenant value becomes markup");
        _smtp.Messages().Count.ShouldBe(1, "one mail to all the recipients, not one each");
        (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem().State.ShouldBe(DeliveryState.Delivered);
    }

    [Fact]
    public async Task A_tenant_name_with_line_breaks_stays_in_one_subject_line()
    {
        await using var host = await StartAsync(withMail: true);
        var op = (await host.CreateOperatorAsync()).Principal;
        var tenant = (await host.CreateTenantAsync(CoreTestHost.DirectoryOperator, "acme")).Id;
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContextAsync())
        {
            await db.Set<SplitCcp.Core.Tenants.Tenant>().Where(t => t.Id == tenant).ExecuteUpdateAsync(s => s.SetProperty(t => t.DisplayName, "Acme\r\nBcc: victim@evil.example"));
        }

        await CreateAsync(host, op, ["ops@msp.example"]);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));
        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        var mail = await _smtp.WaitForMessageAsync("ops@msp.example");
        mail.Subject.ShouldBe("[SplitCcp] An apply of Acme  Bcc: victim@evil.example failed");
        mail.Bcc.ShouldBeEmpty();
        mail.To.Mailboxes.ShouldHaveSingleItem().Address.ShouldBe("ops@msp.example");
    }

    [Fact]
    public async Task Send_test_reaches_the_recipients_and_says_so()
    {
        await using var host = await StartAsync(withMail: true);
        var (op, _) = await OperatorAndTenantAsync(host);
        var saved = await CreateAsync(host, op, ["ops@msp.example"]);

        var test = (await Service(host).SendTestAsync(op, saved.Endpoint.Id)).ShouldNotBeNull();

        test.State.ShouldBe(DeliveryState.Delivered);
        test.LastResponse.ShouldBe("Accepted by the mail server for ops@msp.example.");
        (await _smtp.WaitForMessageAsync("ops@msp.example")).Subject.ShouldBe("[SplitCcp] Test notification from SplitCcp");
    }

    [Fact]
    public async Task A_mail_server_that_is_down_is_retried_later_in_words()
    {
        await using var host = await StartAsync(withMail: true, mailPort: PortalProcess.FreePort());
        var (op, tenant) = await OperatorAndTenantAsync(host);
        await CreateAsync(host, op, ["ops@msp.example"]);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));

        await Dispatcher(host).RunOnceAsync(CancellationToken.None);

        var delivery = (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem();
        delivery.State.ShouldBe(DeliveryState.Pending, "tried again later");
        delivery.NextAttemptAt.ShouldNotBeNull();
        delivery.LastError.ShouldNotBeNull().ShouldStartWith("The mail could not be sent through 127.0.0.1:");
    }

    [Fact]
    public async Task A_mail_server_that_never_answers_ends_the_attempt_at_the_notification_time_limit()
    {
        // Takes the connection and never greets. Mail's own limit (30 s) is longer than the attempt may take: past the
        // delivery's claim, another replica would send it again.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        await using var host = await StartAsync(withMail: true, mailPort: ((System.Net.IPEndPoint)silent.LocalEndpoint).Port, mailTimeout: "00:00:30");
        var (op, tenant) = await OperatorAndTenantAsync(host);
        await CreateAsync(host, op, ["ops@msp.example"]);
        await RecordAsync(host, NotificationOutbox.ApplyFailed(tenant, Guid.CreateVersion7(), "failed", Now(host)));

        var round = Dispatcher(host).RunOnceAsync(CancellationToken.None);
        using var connection = await silent.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(20));
        host.Time.Advance(TimeSpan.FromSeconds(10));
        await round.WaitAsync(TimeSpan.FromSeconds(20));

        var delivery = (await Service(host).ListDeliveriesAsync(op)).ShouldHaveSingleItem();
        delivery.State.ShouldBe(DeliveryState.Pending, "tried again later");
        delivery.LastError.ShouldBe("The mail server did not take the mail within 10 s (SplitCcp:Notifications:Timeout).");
    }

    [Fact]
    public async Task Without_a_mail_server_no_e_mail_endpoint_can_be_made()
    {
        await using var host = await StartAsync(withMail: false);
        var (op, _) = await OperatorAndTenantAsync(host);

        Service(host).CanMail.ShouldBeFalse();
        var result = await Service(host).CreateAsync(op, Input(["ops@msp.example"]));

        result.ShouldBeOfType<EndpointSaveResult.Invalid>().Errors["recipients"].ShouldHaveSingleItem().ShouldBe(NotificationRules.NoMailServer);
    }

    [Fact]
    public async Task An_e_mail_endpoint_can_be_switched_off_after_the_mail_server_is_gone()
    {
        await using var host = await StartAsync(withMail: true);
        var op = (await host.CreateOperatorAsync()).Principal;
        var id = (await CreateAsync(host, op, ["ops@msp.example"])).Endpoint.Id;

        await host.RestartAsync(settings: new Dictionary<string, string?> { ["SplitCcp:Notifications:Enabled"] = "false" });
        var off = await Service(host).UpdateAsync(op, id, Input(["ops@msp.example"]) with { Enabled = false });
        var on = await Service(host).UpdateAsync(op, id, Input(["ops@msp.example"]));

        Service(host).CanMail.ShouldBeFalse();
        off.ShouldBeOfType<EndpointSaveResult.Saved>().Result.Endpoint.Enabled.ShouldBeFalse();
        on.ShouldBeOfType<EndpointSaveResult.Invalid>().Errors["recipients"].ShouldHaveSingleItem().ShouldBe(NotificationRules.NoMailServer);
    }

    [Theory]
    [InlineData(new string[0], "Enter at least one e-mail address")]
    [InlineData(new[] { "ops" }, "'ops' is not an e-mail address")]
    [InlineData(new[] { "Ops <ops@msp.example>" }, "is not an e-mail address")]
    [InlineData(new[] { "ops@msp.example\r\nBcc: x@evil.example" }, "is not an e-mail address")]
    [InlineData(new[] { "ops@msp.example", "OPS@msp.example" }, "OPS@msp.example is entered twice")]
    public async Task Recipients_that_are_not_plain_addresses_are_refused_at_the_field(string[] recipients, string error)
    {
        await using var host = await StartAsync(withMail: true);
        var (op, _) = await OperatorAndTenantAsync(host);

        var result = await Service(host).CreateAsync(op, Input(recipients));

        result.ShouldBeOfType<EndpointSaveResult.Invalid>().Errors["recipients"].ShouldHaveSingleItem().ShouldContain(error);
    }

    [Fact]
    public async Task An_endpoints_channel_cannot_be_changed_but_its_recipients_can()
    {
        await using var host = await StartAsync(withMail: true);
        var (op, _) = await OperatorAndTenantAsync(host);
        var saved = await CreateAsync(host, op, ["ops@msp.example"]);

        var toWebhook = await Service(host).UpdateAsync(op, saved.Endpoint.Id, NotificationDeliveryTests.Input("https://hooks.example.com/x") with { Channel = NotificationChannel.Webhook, AllTenants = true });
        toWebhook.ShouldBeOfType<EndpointSaveResult.Invalid>().Errors["channel"].ShouldHaveSingleItem().ShouldContain("cannot be changed");

        var changed = await Service(host).UpdateAsync(op, saved.Endpoint.Id, Input(["noc@msp.example"]) with { Channel = null });
        changed.ShouldBeOfType<EndpointSaveResult.Saved>().Result.Endpoint.Recipients.ShouldBe(["noc@msp.example"]);
        (await Service(host).GetAsync(op, saved.Endpoint.Id))!.Channel.ShouldBe(NotificationChannel.Email);
    }

    public void Dispose() => _smtp.Dispose();

    private Task<CoreTestHost> StartAsync(bool withMail, int? mailPort = null, string mailTimeout = "00:00:02")
    {
        var settings = new Dictionary<string, string?>
        {
            ["SplitCcp:Notifications:Enabled"] = "false",
            ["SplitCcp:Notifications:MaxAttempts"] = "3",
        };
        if (withMail)
        {
            foreach (var (key, value) in _smtp.Settings())
            {
                settings[key] = value;
            }

            if (mailPort is { } port)
            {
                settings["SplitCcp:Mail:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                settings["SplitCcp:Mail:Timeout"] = mailTimeout;
            }
        }

        return CoreTestHost.StartAsync(settings);
    }

    private static async Task<(ClaimsPrincipal Operator, Guid Tenant)> OperatorAndTenantAsync(CoreTestHost host)
    {
        var op = await host.CreateOperatorAsync();
        return (op.Principal, (await host.CreateTenantAsync(CoreTestHost.DirectoryOperator, "acme")).Id);
    }

    private static EndpointInput Input(IReadOnlyList<string> recipients) => new()
    {
        Name = "Ops mail",
        Channel = NotificationChannel.Email,
        Recipients = recipients,
        Events = NotificationEvents.Choosable,
        AllTenants = true,
        Enabled = true,
    };

    private static async Task<SavedEndpoint> CreateAsync(CoreTestHost host, ClaimsPrincipal op, IReadOnlyList<string> recipients) =>
        (await Service(host).CreateAsync(op, Input(recipients))).ShouldBeOfType<EndpointSaveResult.Saved>().Result;

    private static Task RecordAsync(CoreTestHost host, NotificationEvent e) => NotificationDeliveryTests.RecordAsync(host, e);

    private static DateTime Now(CoreTestHost host) => NotificationDeliveryTests.Now(host);

    private static NotificationService Service(CoreTestHost host) => NotificationDeliveryTests.Service(host);

    private static NotificationDispatcher Dispatcher(CoreTestHost host) => NotificationDeliveryTests.Dispatcher(host);
}
