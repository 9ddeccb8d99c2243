using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Notifications;

/// <summary>
/// Where notifications go: a channel and its address (a webhook's URL and format), the events it hears, for every tenant
/// or for the tenants chosen, and the secret its deliveries are signed with, kept encrypted.
/// </summary>
public sealed class NotificationEndpoint
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public NotificationChannel Channel { get; set; }

    /// <summary>
    /// A webhook's address as shown (<see cref="EndpointSecrets.Shown"/>: its path and query hidden), or an e-mail
    /// endpoint's recipients as a <c>mailto:</c> URI (<see cref="Recipients"/>).
    /// </summary>
    public string Url { get; set; } = "";

    /// <summary>A webhook's whole address, encrypted with Data Protection (<see cref="EndpointSecrets.UrlOf"/>). Empty for e-mail.</summary>
    public string ProtectedUrl { get; set; } = "";

    public WebhookFormat Format { get; set; }

    public List<NotificationEventKind> Events { get; set; } = [];

    /// <summary>Every tenant, present and future; otherwise those in <see cref="Tenants"/>.</summary>
    public bool AllTenants { get; set; }

    public List<NotificationEndpointTenant> Tenants { get; set; } = [];

    public bool Enabled { get; set; }

    /// <summary>A webhook's signing secret, encrypted with Data Protection (<see cref="EndpointSecrets"/>); shown once, when made. Empty for e-mail.</summary>
    public string ProtectedSecret { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTime UpdatedAt { get; set; }

    /// <summary>An e-mail endpoint's addresses; none for a webhook.</summary>
    public IReadOnlyList<string> Recipients =>
        Channel == NotificationChannel.Email && Url.StartsWith(MailtoPrefix, StringComparison.Ordinal)
            ? Url[MailtoPrefix.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries)
            : [];

    internal const string MailtoPrefix = "mailto:";

    /// <summary>Whether the endpoint hears <paramref name="kind"/> about <paramref name="tenantId"/>.</summary>
    public bool Hears(NotificationEventKind kind, Guid? tenantId) =>
        Enabled && Events.Contains(kind) && (AllTenants || (tenantId is { } id && Tenants.Any(t => t.TenantId == id)));
}

/// <summary>A tenant an endpoint chose; goes with the tenant.</summary>
public sealed class NotificationEndpointTenant
{
    public Guid EndpointId { get; set; }

    public Guid TenantId { get; set; }
}

/// <summary>
/// Something to tell: written by the change it is about, in that change's transaction (the outbox), under a
/// <see cref="Key"/> that every portal seeing the same change gives it, so a change seen twice is told once. The worker
/// fans it out into one <see cref="NotificationDelivery"/> per endpoint that hears it (<see cref="FannedOutAt"/>).
/// </summary>
public sealed class NotificationEvent
{
    public Guid Id { get; set; }

    /// <summary>Unique: the change it is about, such as the apply that failed or the drift stretch that ended.</summary>
    public string Key { get; set; } = "";

    public NotificationEventKind Kind { get; set; }

    /// <summary>The tenant it is about; kept when the tenant is deleted, with its name (filled in at fan-out).</summary>
    public Guid? TenantId { get; set; }

    public string? TenantName { get; set; }

    public string? TenantSlug { get; set; }

    /// <summary>The tenant's drift status now and before, for drift events.</summary>
    public string? Status { get; set; }

    public string? PreviousStatus { get; set; }

    public Guid? ApplyId { get; set; }

    /// <summary>What happened, in an operator's words, clipped to the column.</summary>
    public string Text { get; set => field = value.Clip(); } = "";

    public DateTime OccurredAt { get; set; }

    /// <summary>When its deliveries were made; null until the worker (of any replica) has fanned it out.</summary>
    public DateTime? FannedOutAt { get; set; }
}

/// <summary>
/// One event to one endpoint: sent by whichever portal claims it (<see cref="ClaimedBy"/> under a lease), retried with
/// back-off while it may be, and kept afterwards as the delivery log.
/// </summary>
public sealed class NotificationDelivery
{
    /// <summary>How much of an endpoint's answer is kept in the log.</summary>
    public const int ResponseLength = 1000;

    public Guid Id { get; set; }

    public Guid EventId { get; set; }

    public NotificationEvent? Event { get; set; }

    public Guid EndpointId { get; set; }

    public NotificationEndpoint? Endpoint { get; set; }

    public DeliveryState State { get; set; }

    public int Attempts { get; set; }

    /// <summary>When it is due; null once it is Delivered or Failed.</summary>
    public DateTime? NextAttemptAt { get; set; }

    public DateTime? LastAttemptAt { get; set; }

    public int? LastStatusCode { get; set; }

    /// <summary>The start of the endpoint's last answer.</summary>
    public string? LastResponse { get; set => field = value.Clip(ResponseLength); }

    /// <summary>Why the last attempt failed when the endpoint gave no answer (a timeout, a refused connection), or what its answer means.</summary>
    public string? LastError { get; set => field = value.Clip(); }

    /// <summary>The portal process sending it now, as long as <see cref="LeaseUntil"/> holds.</summary>
    public string? ClaimedBy { get; set; }

    public DateTime? LeaseUntil { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? FinishedAt { get; set; }
}
