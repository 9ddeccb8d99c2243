using System.Text.Json.Serialization;

namespace SplitCcp.Core.Notifications;

/// <summary>What a notification is about: what an endpoint chooses to hear.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NotificationEventKind>))]
public enum NotificationEventKind
{
    /// <summary>A tenant's drift check found it Drifted after it was something else.</summary>
    TenantDrifted,

    /// <summary>A tenant's drift check found it Failing (AWS would not answer) after it was something else.</summary>
    TenantFailing,

    /// <summary>An apply ended Failed.</summary>
    ApplyFailed,

    /// <summary>Every go-live check of a tenant passed.</summary>
    TenantLive,

    /// <summary>"Send test" on one endpoint; never chosen, always sent to that endpoint only.</summary>
    Test,

    /// <summary>A tenant's drift check found it Healthy right after it was Drifted or Failing. Last, so earlier values keep their numbers.</summary>
    TenantRecovered,
}

/// <summary>How a notification leaves the portal. Each has an <see cref="INotificationChannel"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NotificationChannel>))]
public enum NotificationChannel
{
    /// <summary>An HTTPS POST to the endpoint's URL, in its <see cref="WebhookFormat"/>.</summary>
    Webhook,

    /// <summary>A plain-text mail to the endpoint's recipients, through the portal's SMTP server.</summary>
    Email,
}

/// <summary>The body a webhook is sent in.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WebhookFormat>))]
public enum WebhookFormat
{
    /// <summary>The portal's own JSON document, signed with the endpoint's secret.</summary>
    GenericJson,

    /// <summary>A Slack incoming webhook's message (text and Block Kit blocks).</summary>
    Slack,

    /// <summary>A Microsoft Teams incoming webhook's message (an Adaptive Card).</summary>
    Teams,
}

/// <summary>Where a delivery stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliveryState>))]
public enum DeliveryState
{
    /// <summary>Not sent yet, or to be sent again at <see cref="NotificationDelivery.NextAttemptAt"/>.</summary>
    Pending,

    /// <summary>The endpoint answered 2xx.</summary>
    Delivered,

    /// <summary>The endpoint refused it (a 4xx other than 429, a redirect), or went on failing until the last attempt.</summary>
    Failed,
}

/// <summary>The events an endpoint may choose, in the order the portal lists them.</summary>
public static class NotificationEvents
{
    public static IReadOnlyList<NotificationEventKind> Choosable { get; } =
        [NotificationEventKind.TenantDrifted, NotificationEventKind.TenantFailing, NotificationEventKind.TenantRecovered, NotificationEventKind.ApplyFailed,
            NotificationEventKind.TenantLive];

    /// <summary>The event as the portal names it to people.</summary>
    public static string Label(NotificationEventKind kind) => kind switch
    {
        NotificationEventKind.TenantDrifted => "Tenant drifted",
        NotificationEventKind.TenantFailing => "Tenant failing",
        NotificationEventKind.TenantRecovered => "Tenant healthy again",
        NotificationEventKind.ApplyFailed => "Apply failed",
        NotificationEventKind.TenantLive => "Tenant live",
        _ => "Test",
    };

    /// <summary>The channel as the portal names it to people.</summary>
    public static string Label(NotificationChannel channel) => channel == NotificationChannel.Email ? "E-mail" : "Webhook";

    /// <summary>The format as the portal names it to people.</summary>
    public static string Label(WebhookFormat format) => format switch
    {
        WebhookFormat.Slack => "Slack",
        WebhookFormat.Teams => "Microsoft Teams",
        _ => "Generic JSON",
    };
}

/// <summary>
/// An endpoint as the API and the Notifications page show it: never its secret, and a webhook's <see cref="Url"/> with
/// its path and query hidden (<c>https://hooks.slack.com/…</c>), since for Slack and Teams the address is a credential.
/// </summary>
public sealed record EndpointView(
    Guid Id,
    string Name,
    NotificationChannel Channel,
    string Url,
    IReadOnlyList<string> Recipients,
    WebhookFormat Format,
    IReadOnlyList<NotificationEventKind> Events,
    bool AllTenants,
    IReadOnlyList<Guid> TenantIds,
    bool Enabled,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime UpdatedAt);

/// <summary>What a caller sends to create or change an endpoint.</summary>
public sealed record EndpointInput
{
    public string? Name { get; init; }

    /// <summary>How notifications leave: a webhook (the default) or e-mail. Fixed once the endpoint is made.</summary>
    public NotificationChannel? Channel { get; init; }

    /// <summary>
    /// A webhook's address: https, or http to a loopback address (or anywhere, when the portal allows it). On a change,
    /// left out (or blank) to keep the address the endpoint has, which is never shown.
    /// </summary>
    public string? Url { get; init; }

    /// <summary>An e-mail endpoint's addresses, one to <see cref="NotificationRules.MaxRecipients"/>.</summary>
    public IReadOnlyList<string>? Recipients { get; init; }

    public WebhookFormat? Format { get; init; }

    public IReadOnlyList<NotificationEventKind>? Events { get; init; }

    /// <summary>Every tenant, present and future (MSP operators only); otherwise the tenants in <see cref="TenantIds"/>.</summary>
    public bool AllTenants { get; init; }

    public IReadOnlyList<Guid>? TenantIds { get; init; }

    public bool Enabled { get; init; } = true;

    /// <summary>On a change of a webhook: replace the signing secret with a new one, returned once.</summary>
    public bool RotateSecret { get; init; }
}

/// <summary>An endpoint just saved, with its signing secret when it is a new webhook: the only time the secret is shown.</summary>
public sealed record SavedEndpoint(EndpointView Endpoint, string? Secret);

/// <summary>How saving an endpoint went.</summary>
public abstract record EndpointSaveResult
{
    private EndpointSaveResult()
    {
    }

    public sealed record Saved(SavedEndpoint Result) : EndpointSaveResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : EndpointSaveResult;

    /// <summary>No such endpoint, or one outside the caller's scope.</summary>
    public sealed record NotFound : EndpointSaveResult;
}

/// <summary>One delivery of one event to one endpoint, with its last attempt, as the delivery log shows it.</summary>
public sealed record DeliveryView(
    Guid Id,
    Guid EventId,
    NotificationEventKind Event,
    Guid? TenantId,
    string? TenantName,
    Guid EndpointId,
    string EndpointName,
    DeliveryState State,
    int Attempts,
    int? LastStatusCode,
    string? LastResponse,
    string? LastError,
    DateTime CreatedAt,
    DateTime? LastAttemptAt,
    DateTime? NextAttemptAt);

/// <summary>Endpoints and deliveries are managed by MSP operators (every endpoint) and tenant admins (theirs); a viewer has neither.</summary>
public sealed class NotificationAccessDeniedException(string message) : Exception(message);
