using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace SplitCcp.Core.Mail;

/// <summary>Sends each message on a connection of its own to the configured SMTP server, with MailKit.</summary>
public sealed partial class SmtpMailSender(IOptions<MailOptions> options, ILogger<SmtpMailSender> logger) : IMailSender
{
    private readonly MailOptions _settings = options.Value;

    public bool CanSend => _settings.IsConfigured;

    public Uri? PortalUrl => _settings.PortalBase;

    public async Task SendAsync(OutgoingMail mail, CancellationToken ct = default)
    {
        if (!CanSend)
        {
            throw new MailNotSentException($"No SMTP server is configured ({MailOptions.SectionName}:Host).");
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(_settings.From!));
        message.To.AddRange(InternetAddressList.Parse(mail.To));
        message.Subject = mail.Subject;
        message.Body = new TextPart("plain") { Text = mail.Body };

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_settings.Timeout);
        using var client = new SmtpClient { Timeout = (int)_settings.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(_settings.Host!, _settings.Port, SocketOptions(_settings.Security), timeout.Token);
            if (!string.IsNullOrWhiteSpace(_settings.UserName))
            {
                await client.AuthenticateAsync(_settings.UserName, _settings.Password ?? "", timeout.Token);
            }

            await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(quit: true, timeout.Token);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ProtocolException or CommandException
            or SslHandshakeException or AuthenticationException or NotSupportedException or TimeoutException
            || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // The reason names the server and what failed; MailKit's messages carry no password, and the body (links) is not logged.
            LogNotSent(logger, mail.Subject, _settings.Host!, _settings.Port, ex.Message);
            throw new MailNotSentException($"The mail could not be sent through {_settings.Host}:{_settings.Port}: {Reason(ex)}", ex);
        }

        LogSent(logger, mail.Subject, _settings.Host!);
    }

    private static SecureSocketOptions SocketOptions(MailSecurity security) => security switch
    {
        MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        MailSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.StartTls,
    };

    private static string Reason(Exception ex) => ex switch
    {
        AuthenticationException => "the server refused the user name and password.",
        OperationCanceledException or TimeoutException => "the server did not answer in time.",
        NotSupportedException => "the server does not offer STARTTLS, which the settings require.",
        _ => ex.Message,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent “{Subject}” through {Host}.")]
    private static partial void LogSent(ILogger logger, string subject, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send “{Subject}” through {Host}:{Port}: {Reason}")]
    private static partial void LogNotSent(ILogger logger, string subject, string host, int port, string reason);
}
