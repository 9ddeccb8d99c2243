namespace SplitCcp.Core.Notifications;

/// <summary>
/// One way of telling an endpoint: renders a <see cref="Notification"/> as its channel needs and sends it, once. The outbox,
/// the claims, the retries and the delivery log are the dispatcher's and the same for every channel; a channel only says
/// how its one attempt went. Webhooks are one (<see cref="WebhookChannel"/>), e-mail another (<see cref="EmailChannel"/>).
/// </summary>
public interface INotificationChannel
{
    NotificationChannel Channel { get; }

    /// <summary>Sends <paramref name="notification"/> to <paramref name="endpoint"/>. Never throws for the endpoint's failures: it answers them.</summary>
    Task<DeliveryAttempt> SendAsync(NotificationEndpoint endpoint, Notification notification, CancellationToken ct);
}

/// <summary>How one attempt went, for the dispatcher to decide what comes next.</summary>
public enum AttemptOutcome
{
    Delivered,

    /// <summary>Worth trying again later: no answer in time, the endpoint unreachable, a 5xx or a 429.</summary>
    RetryLater,

    /// <summary>Trying again would not help: the endpoint refused it (another 4xx), redirected it, or may not be sent to.</summary>
    Refused,
}

/// <summary>One attempt: its outcome, the endpoint's status code and the start of its answer, and why it failed in an operator's words.</summary>
public sealed record DeliveryAttempt(AttemptOutcome Outcome, int? StatusCode, string? Response, string? Error, TimeSpan? RetryAfter = null);

/// <summary>The tenant a notification is about, as it was named when the event was fanned out.</summary>
public sealed record NotificationTenant(Guid Id, string Name, string? Slug);

/// <summary>A notification as every channel gets it: what happened, about which tenant, and where to look in the portal.</summary>
public sealed record Notification(
    Guid EventId,
    Guid DeliveryId,
    NotificationEventKind Event,
    DateTime OccurredAt,
    NotificationTenant? Tenant,
    string Title,
    string Text,
    string? Status,
    string? PreviousStatus,
    Guid? ApplyId,
    Uri? Link)
{
    /// <summary>The notification of <paramref name="e"/> for one delivery; links to the tenant's page when the portal's address is known.</summary>
    public static Notification Of(NotificationEvent e, Guid deliveryId, Uri? portalUrl)
    {
        var tenant = e.TenantId is { } id ? new NotificationTenant(id, e.TenantName ?? "A deleted tenant", e.TenantSlug) : null;
        var name = tenant?.Name ?? "";
        var title = e.Kind switch
        {
            NotificationEventKind.TenantDrifted => $"{name} drifted",
            NotificationEventKind.TenantFailing => $"{name} is failing its drift checks",
            NotificationEventKind.TenantRecovered => $"{name} is healthy again",
            NotificationEventKind.ApplyFailed => $"An apply of {name} failed",
            NotificationEventKind.TenantLive => $"{name} is live",
            _ => "Test notification from SplitCcp",
        };
        // Relative to the portal's address, which may have a path of its own (https://example.com/splitccp/).
        var link = portalUrl is null ? null
            : new Uri(new Uri(portalUrl.AbsoluteUri.TrimEnd('/') + "/"), tenant is null ? "notifications" : $"tenants/{tenant.Id}");
        return new Notification(e.Id, deliveryId, e.Kind, e.OccurredAt, tenant, title, e.Text, e.Status, e.PreviousStatus, e.ApplyId, link);
    }
}
