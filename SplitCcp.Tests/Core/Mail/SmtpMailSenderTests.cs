using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Testing;
using SplitCcp.Core.Mail;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Mail;

/// <summary>The mail sender against a real SMTP server started by the test.</summary>
public sealed class SmtpMailSenderTests
{
    private const string Password = "smtp-Secret-Passw0rd";

    [Fact]
    public async Task Send_ToTheServer_ArrivesWithSenderSubjectAndBody()
    {
        using var server = SmtpSink.Start();
        var sender = Sender(Options(server));

        await sender.SendAsync(new OutgoingMail("ops@tenant.example", "Hello", "Line one\nhttps://portal.msp.example/x"));

        var message = await server.WaitForMessageAsync("ops@tenant.example");
        message.From.Mailboxes.Single().Address.ShouldBe("portal@msp.example");
        message.Subject.ShouldBe("Hello");
        (message.TextBody ?? "").ShouldContain("https://portal.msp.example/x");
    }

    [Fact]
    public async Task Send_ServerRequiringSignIn_SignsInWithTheSettings()
    {
        using var server = SmtpSink.Start("mailer", Password);
        var options = Options(server);
        options.UserName = "mailer";
        options.Password = Password;

        await Sender(options).SendAsync(new OutgoingMail("ops@tenant.example", "Signed in", "Body"));

        (await server.WaitForMessageAsync("ops@tenant.example")).Subject.ShouldBe("Signed in");
    }

    [Fact]
    public async Task Send_WrongPassword_FailsWithoutEverNamingThePassword()
    {
        using var server = SmtpSink.Start("mailer", "the-right-one-123");
        var options = Options(server);
        options.UserName = "mailer";
        options.Password = Password;
        var log = new FakeLogger<SmtpMailSender>();

        var failure = await Should.ThrowAsync<MailNotSentException>(() => Sender(options, log).SendAsync(new OutgoingMail("ops@tenant.example", "Refused", "Body")));

        failure.Message.ShouldContain("refused the user name and password");
        failure.Message.ShouldNotContain(Password);
        log.Collector.GetSnapshot().ShouldNotBeEmpty();
        foreach (var record in log.Collector.GetSnapshot())
        {
            record.Message.ShouldNotContain(Password);
            (record.Exception?.ToString() ?? "").ShouldNotContain(Password);
        }

        server.Messages().ShouldBeEmpty();
    }

    [Fact]
    public async Task Send_StartTlsRequired_RefusesAServerThatDoesNotOfferIt()
    {
        using var server = SmtpSink.Start();
        var options = Options(server);
        options.Security = MailSecurity.StartTls;

        var failure = await Should.ThrowAsync<MailNotSentException>(() => Sender(options).SendAsync(new OutgoingMail("ops@tenant.example", "Plain", "Body")));

        failure.Message.ShouldContain("STARTTLS");
        server.Messages().ShouldBeEmpty();
    }

    [Fact]
    public async Task Send_NothingListening_FailsWithAReasonNamingTheServer()
    {
        var options = Options(port: PortalProcess.FreePort());

        var failure = await Should.ThrowAsync<MailNotSentException>(() => Sender(options).SendAsync(new OutgoingMail("ops@tenant.example", "Down", "Body")));

        failure.Message.ShouldContain($"127.0.0.1:{options.Port}");
    }

    [Fact]
    public async Task Send_ServerThatNeverAnswers_GivesUpAfterTheTimeout()
    {
        // Takes the connection and never greets, as a hung relay or a firewall that holds connections open does.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var options = Options(port: ((IPEndPoint)silent.LocalEndpoint).Port);
        options.Timeout = TimeSpan.FromSeconds(1);
        var clock = Stopwatch.StartNew();

        var failure = await Should.ThrowAsync<MailNotSentException>(() => Sender(options).SendAsync(new OutgoingMail("ops@tenant.example", "Hung", "Body")));

        failure.Message.ShouldContain("did not answer in time");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Send_NoHostConfigured_CannotSend()
    {
        var sender = Sender(new MailOptions());

        sender.CanSend.ShouldBeFalse();
        sender.PortalUrl.ShouldBeNull();
        await Should.ThrowAsync<MailNotSentException>(() => sender.SendAsync(new OutgoingMail("ops@tenant.example", "Nowhere", "Body")));
    }

    [Fact]
    public void Options_HostWithoutSenderOrPortalUrl_AreRefusedNamingBoth()
    {
        var errors = Validate(new MailOptions { Host = "smtp.msp.example" });

        errors.ShouldContain(e => e.Contains("SplitCcp:Mail:From", StringComparison.Ordinal));
        errors.ShouldContain(e => e.Contains("SplitCcp:PortalUrl", StringComparison.Ordinal));
        Validate(new MailOptions()).ShouldBeEmpty("no host: no mail, nothing else needed");
        Validate(new MailOptions { Host = "smtp.msp.example", From = "portal@msp.example", PortalUrl = "https://portal.msp.example" }).ShouldBeEmpty();
    }

    [Fact]
    public void PortalUrl_WithOrWithoutTrailingSlash_IsTheBaseOfRelativeLinks()
    {
        foreach (var url in new[] { "https://portal.msp.example/sub", "https://portal.msp.example/sub/" })
        {
            var sender = Sender(new MailOptions { Host = "smtp.msp.example", From = "portal@msp.example", PortalUrl = url });

            new Uri(sender.PortalUrl!, "account/invitation").ToString().ShouldBe("https://portal.msp.example/sub/account/invitation");
        }
    }

    private static MailOptions Options(SmtpSink server) => Options(server.Port);

    private static MailOptions Options(int port) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        Security = MailSecurity.None,
        From = "SplitCcp <portal@msp.example>",
        PortalUrl = "https://portal.msp.example",
        Timeout = TimeSpan.FromSeconds(10),
    };

    private static SmtpMailSender Sender(MailOptions options, FakeLogger<SmtpMailSender>? log = null) =>
        new(Microsoft.Extensions.Options.Options.Create(options), log ?? new FakeLogger<SmtpMailSender>());

    private static List<string> Validate(MailOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage ?? "").ToList();
    }
}
