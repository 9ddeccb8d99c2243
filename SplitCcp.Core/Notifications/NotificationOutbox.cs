using System.Globalization;

namespace SplitCcp.Core.Notifications;

/// <summary>
/// The events the portal's changes record about themselves: each is added to the context that saves the change, so the
/// change and its event are kept together or not at all. Each key names the change as every portal that makes it sees it
/// (the state it changed from), so two portals that see the same change at once write one event, and the second one's
/// save meets the unique key and runs again on the first one's result.
/// </summary>
public static class NotificationOutbox
{
    /// <summary>
    /// The tenant's drift status turned to <paramref name="status"/> (Drifted, Failing, or Healthy again, as
    /// <paramref name="kind"/> says) from another one, whose stretch of results was <paramref name="previousReportId"/>:
    /// after it, the next turn is a new event.
    /// </summary>
    public static NotificationEvent TenantTurned(
        NotificationEventKind kind, Guid tenantId, string previousStatus, string status, Guid? previousReportId, string text, DateTime at) => new()
    {
        Id = Guid.CreateVersion7(),
        Key = Key(kind, tenantId, previousReportId?.ToString("N") ?? "first"),
        Kind = kind,
        TenantId = tenantId,
        Status = status,
        PreviousStatus = previousStatus,
        Text = text,
        OccurredAt = at,
    };

    /// <summary>The apply ended Failed with <paramref name="error"/>.</summary>
    public static NotificationEvent ApplyFailed(Guid tenantId, Guid applyId, string error, DateTime at) => new()
    {
        Id = Guid.CreateVersion7(),
        Key = Key(NotificationEventKind.ApplyFailed, applyId, "finished"),
        Kind = NotificationEventKind.ApplyFailed,
        TenantId = tenantId,
        ApplyId = applyId,
        Text = error,
        OccurredAt = at,
    };

    /// <summary>
    /// The tenant went live. A live tenant stops being live only when a check done with an agent fails, so the last failed
    /// result before it (<paramref name="lastFailure"/>, 0 for none) tells one time it went live from the next.
    /// </summary>
    public static NotificationEvent TenantLive(Guid tenantId, long lastFailure, string text, DateTime at) => new()
    {
        Id = Guid.CreateVersion7(),
        Key = Key(NotificationEventKind.TenantLive, tenantId, lastFailure.ToString(CultureInfo.InvariantCulture)),
        Kind = NotificationEventKind.TenantLive,
        TenantId = tenantId,
        Text = text,
        OccurredAt = at,
    };

    /// <summary>A test of one endpoint: its own event, told only to that endpoint.</summary>
    internal static NotificationEvent Test(string text, DateTime at)
    {
        var id = Guid.CreateVersion7();
        return new NotificationEvent
        {
            Id = id,
            Key = Key(NotificationEventKind.Test, id, "test"),
            Kind = NotificationEventKind.Test,
            Text = text,
            OccurredAt = at,
            FannedOutAt = at,
        };
    }

    private static string Key(NotificationEventKind kind, Guid subject, string after) => $"{kind}:{subject:N}:{after}";
}
