using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Mail;

namespace SplitCcp.Core.Notifications;

/// <summary>
/// E-mail: one plain-text mail to the endpoint's recipients through the portal's SMTP server (<see cref="IMailSender"/>).
/// Plain text, so no tenant value (a name, an AWS message) can become markup or a link it does not name; the subject is
/// one line whatever the title holds. An attempt has the same time limit as a webhook's
/// (<see cref="NotificationOptions.Timeout"/>), so it ends before the dispatcher's claim on the delivery lapses.
/// </summary>
public sealed class EmailChannel(IMailSender mail, IOptionsMonitor<NotificationOptions> options, TimeProvider time) : INotificationChannel
{
    public NotificationChannel Channel => NotificationChannel.Email;

    public async Task<DeliveryAttempt> SendAsync(NotificationEndpoint endpoint, Notification notification, CancellationToken ct)
    {
        if (!mail.CanSend)
        {
            return new DeliveryAttempt(AttemptOutcome.Refused, null, null, NotificationRules.NoMailServer);
        }

        var timeout = options.CurrentValue.Timeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            await mail.SendAsync(Compose(endpoint, notification), limit.Token);
            return new DeliveryAttempt(AttemptOutcome.Delivered, null, $"Accepted by the mail server for {string.Join(", ", endpoint.Recipients)}.", null);
        }
        catch (MailNotSentException ex)
        {
            return new DeliveryAttempt(AttemptOutcome.RetryLater, null, null, ex.Message);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return new DeliveryAttempt(AttemptOutcome.RetryLater, null, null,
                string.Create(CultureInfo.InvariantCulture, $"The mail server did not take the mail within {timeout.TotalSeconds:0.#} s (SplitCcp:Notifications:Timeout)."));
        }
    }

    /// <summary>The mail for <paramref name="notification"/>: what happened, the tenant, the status, where to look, and why it came.</summary>
    internal static OutgoingMail Compose(NotificationEndpoint endpoint, Notification notification)
    {
        var body = new StringBuilder();
        body.AppendLine(OneLine(notification.Title)).AppendLine();
        body.AppendLine(notification.Text).AppendLine();
        if (notification.Tenant is { } tenant)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Tenant: {OneLine(tenant.Name)}{(tenant.Slug is { } slug ? $" ({slug})" : "")}");
        }

        if (notification.Status is { } status)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Status: {status}{(notification.PreviousStatus is { } before ? $" (was {before})" : "")}");
        }

        if (notification.ApplyId is { } apply)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Apply: {apply}");
        }

        body.AppendLine(CultureInfo.InvariantCulture, $"When: {notification.OccurredAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC");
        if (notification.Link is { } link)
        {
            body.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Open it in SplitCcp: {link.AbsoluteUri}");
        }

        body.AppendLine().AppendLine("--")
            .AppendLine(CultureInfo.InvariantCulture,
                $"You get this mail because the notification endpoint \"{OneLine(endpoint.Name)}\" in SplitCcp sends to this address. An MSP operator or your tenant admin can change it on the Notifications page.");
        return new OutgoingMail(string.Join(", ", endpoint.Recipients), $"[SplitCcp] {OneLine(notification.Title)}", body.ToString());
    }

    /// <summary>Line breaks and other control characters as spaces: a subject or a heading is one line.</summary>
    private static string OneLine(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = char.IsControl(source[i]) ? ' ' : source[i];
        }
    });
}
