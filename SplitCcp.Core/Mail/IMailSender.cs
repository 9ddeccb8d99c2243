namespace SplitCcp.Core.Mail;

/// <summary>A plain-text message to one person, or to several (<paramref name="To"/> separated by commas).</summary>
public sealed record OutgoingMail(string To, string Subject, string Body);

/// <summary>Sends the portal's mail; whatever sends mail (accounts, notifications) asks for this.</summary>
public interface IMailSender
{
    /// <summary>False when no server is configured: nothing can be sent, and a caller shows a link instead of mailing it.</summary>
    bool CanSend { get; }

    /// <summary>The portal's address for the links in mail, from the settings; null when no mail can be sent.</summary>
    Uri? PortalUrl { get; }

    /// <summary>Sends or throws <see cref="MailNotSentException"/>, with a reason that names no secret.</summary>
    Task SendAsync(OutgoingMail mail, CancellationToken ct = default);
}

public sealed class MailNotSentException(string message, Exception? inner = null) : Exception(message, inner);
