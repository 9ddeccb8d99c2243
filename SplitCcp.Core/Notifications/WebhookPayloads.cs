using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Notifications;

/// <summary>
/// A notification as each webhook format's body, always built as JSON by System.Text.Json, so no value reaches the body
/// but as a JSON string. Slack and Teams render markup in some fields; a tenant's values (its name, an AWS message) go
/// only where they cannot be read as markup: Slack's <c>plain_text</c> objects, and the notification text with
/// <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> escaped as Slack asks (so no <c>&lt;!channel&gt;</c> or link can be made);
/// Teams' <c>TextRun</c>s, which Adaptive Cards never read as Markdown.
/// </summary>
public static class WebhookPayloads
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>The body of <paramref name="notification"/> in <paramref name="format"/>, as the bytes that are sent (and signed).</summary>
    public static byte[] Render(WebhookFormat format, Notification notification) => format switch
    {
        WebhookFormat.Slack => Serialize(Slack(notification)),
        WebhookFormat.Teams => Serialize(Teams(notification)),
        _ => JsonSerializer.SerializeToUtf8Bytes(Generic(notification), s_json),
    };

    /// <summary>The portal's own document: every field of the event, for code to read.</summary>
    public static GenericPayload Generic(Notification n) => new(
        n.EventId, n.DeliveryId, n.Event, n.OccurredAt, n.Tenant is { } t ? new GenericTenant(t.Id, t.Name, t.Slug) : null, n.Title, n.Text,
        n.Status, n.PreviousStatus, n.ApplyId, n.Link?.AbsoluteUri);

    /// <summary>A Slack message: the text for the notification itself, and blocks of plain text.</summary>
    public static JsonObject Slack(Notification n)
    {
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(n.Title.Clip(150)) },
            new JsonObject { ["type"] = "section", ["text"] = PlainText(Body(n).Clip(3000)) },
            new JsonObject { ["type"] = "context", ["elements"] = new JsonArray(PlainText(Footer(n))) },
        };
        if (n.Link is { } link)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray(new JsonObject { ["type"] = "button", ["text"] = PlainText("Open in SplitCcp"), ["url"] = link.AbsoluteUri }),
            });
        }

        return new JsonObject
        {
            ["text"] = SlackEscape($"{n.Title}: {Body(n)}"),
            ["blocks"] = blocks,
            ["unfurl_links"] = false,
            ["unfurl_media"] = false,
        };
    }

    /// <summary>A Teams message holding one Adaptive Card, as incoming webhooks and Workflows' webhook trigger take it.</summary>
    public static JsonObject Teams(Notification n)
    {
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["fallbackText"] = $"{n.Title}: {Body(n)}",
            ["body"] = new JsonArray(
                TextRuns(new JsonObject { ["text"] = n.Title, ["weight"] = "Bolder", ["size"] = "Medium" }),
                TextRuns(new JsonObject { ["text"] = Body(n) }),
                TextRuns(new JsonObject { ["text"] = Footer(n), ["isSubtle"] = true, ["size"] = "Small" })),
        };
        if (n.Link is { } link)
        {
            card["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open in SplitCcp", ["url"] = link.AbsoluteUri });
        }

        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["content"] = card }),
        };
    }

    /// <summary>Slack's escaping of text it reads as mrkdwn: the three characters that start entities, mentions and links.</summary>
    public static string SlackEscape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Body(Notification n) => string.IsNullOrWhiteSpace(n.Text) ? n.Title : n.Text;

    private static string Footer(Notification n)
    {
        var parts = new List<string> { "SplitCcp", NotificationEvents.Label(n.Event) };
        if (n.Tenant is { Slug: { } slug })
        {
            parts.Add(slug);
        }

        parts.Add(n.OccurredAt.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
        return string.Join(" · ", parts);
    }

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = false };

    private static JsonObject TextRuns(JsonObject run)
    {
        run["type"] = "TextRun";
        return new JsonObject { ["type"] = "RichTextBlock", ["inlines"] = new JsonArray(run) };
    }

    private static byte[] Serialize(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(s_json));
}

/// <summary>The generic JSON body: every field of the event, named as in the API.</summary>
public sealed record GenericPayload(
    Guid Id,
    Guid DeliveryId,
    NotificationEventKind Event,
    DateTime OccurredAt,
    GenericTenant? Tenant,
    string Title,
    string Text,
    string? Status,
    string? PreviousStatus,
    Guid? ApplyId,
    string? Url);

/// <summary>The tenant in the generic JSON body.</summary>
public sealed record GenericTenant(Guid Id, string Name, string? Slug);
