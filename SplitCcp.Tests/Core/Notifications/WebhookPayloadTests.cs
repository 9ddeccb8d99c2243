using System.Text.Json;
using SplitCcp.Core.Notifications;

namespace SplitCcp.Tests.Core.Notifications;

/// <summary>Each format's body, with a tenant whose values are written to break out of JSON and of Slack's and Teams' markup.</summary>
public sealed class WebhookPayloadTests
{
    private const string HostileName = "Acme <!channel> *bold* _it_ [click](https://evil.example) \"quoted\" & more";

    private static readonly Notification s_drifted = new(
        Guid.CreateVersion7(), Guid.CreateVersion7(), NotificationEventKind.TenantDrifted, new DateTime(2026, 12, 3, 10, 5, 0, DateTimeKind.Utc),
        new NotificationTenant(Guid.CreateVersion7(), HostileName, "acme"), $"{HostileName} drifted",
        "2 resources out of line: S3 bucket policy <@U123>, AppStream fleet.", "Drifted", "Healthy", null,
        new Uri("https://portal.example.com/tenants/42"));

    [Fact]
    public void Generic_json_carries_every_field_with_tenant_values_as_plain_json_strings()
    {
        var body = JsonDocument.Parse(WebhookPayloads.Render(WebhookFormat.GenericJson, s_drifted)).RootElement;

        body.GetProperty("id").GetGuid().ShouldBe(s_drifted.EventId);
        body.GetProperty("deliveryId").GetGuid().ShouldBe(s_drifted.DeliveryId);
        body.GetProperty("event").GetString().ShouldBe("TenantDrifted");
        body.GetProperty("occurredAt").GetDateTime().ShouldBe(s_drifted.OccurredAt);
        body.GetProperty("tenant").GetProperty("name").GetString().ShouldBe(HostileName);
        body.GetProperty("tenant").GetProperty("slug").GetString().ShouldBe("acme");
        body.GetProperty("title").GetString().ShouldBe($"{HostileName} drifted");
        body.GetProperty("text").GetString().ShouldBe(s_drifted.Text);
        body.GetProperty("status").GetString().ShouldBe("Drifted");
        body.GetProperty("previousStatus").GetString().ShouldBe("Healthy");
        body.GetProperty("url").GetString().ShouldBe("https://portal.example.com/tenants/42");
    }

    [Fact]
    public void Slack_gets_escaped_notification_text_and_tenant_values_only_in_plain_text_blocks()
    {
        var body = JsonDocument.Parse(WebhookPayloads.Render(WebhookFormat.Slack, s_drifted)).RootElement;

        var text = body.GetProperty("text").GetString()!;
        text.ShouldContain("Acme &lt;!channel&gt; *bold*");
        text.ShouldContain("&lt;@U123&gt;");
        text.ShouldContain("\"quoted\" &amp; more");
        text.ShouldNotContain("<");
        text.ShouldNotContain(">");
        body.GetProperty("unfurl_links").GetBoolean().ShouldBeFalse();

        var blocks = body.GetProperty("blocks").EnumerateArray().ToList();
        blocks.Select(b => b.GetProperty("type").GetString()).ShouldBe(["header", "section", "context", "actions"]);
        blocks[0].GetProperty("text").GetProperty("type").GetString().ShouldBe("plain_text");
        blocks[0].GetProperty("text").GetProperty("text").GetString().ShouldBe($"{HostileName} drifted");
        blocks[1].GetProperty("text").GetProperty("type").GetString().ShouldBe("plain_text");
        blocks[1].GetProperty("text").GetProperty("text").GetString().ShouldBe(s_drifted.Text);
        blocks[2].GetProperty("elements")[0].GetProperty("type").GetString().ShouldBe("plain_text");
        blocks[3].GetProperty("elements")[0].GetProperty("url").GetString().ShouldBe("https://portal.example.com/tenants/42");
        MarkupTexts(body).ShouldBe([text], "the only text Slack reads as mrkdwn is the escaped notification text");
    }

    [Fact]
    public void Teams_gets_an_adaptive_card_whose_tenant_values_are_text_runs_which_are_never_markdown()
    {
        var body = JsonDocument.Parse(WebhookPayloads.Render(WebhookFormat.Teams, s_drifted)).RootElement;

        body.GetProperty("type").GetString().ShouldBe("message");
        var attachment = body.GetProperty("attachments").EnumerateArray().ShouldHaveSingleItem();
        attachment.GetProperty("contentType").GetString().ShouldBe("application/vnd.microsoft.card.adaptive");
        var card = attachment.GetProperty("content");
        card.GetProperty("type").GetString().ShouldBe("AdaptiveCard");
        card.GetProperty("version").GetString().ShouldBe("1.4");
        var blocks = card.GetProperty("body").EnumerateArray().ToList();
        blocks.ShouldAllBe(b => b.GetProperty("type").GetString() == "RichTextBlock");
        var runs = blocks.SelectMany(b => b.GetProperty("inlines").EnumerateArray()).ToList();
        runs.ShouldAllBe(r => r.GetProperty("type").GetString() == "TextRun");
        runs[0].GetProperty("text").GetString().ShouldBe($"{HostileName} drifted");
        runs[1].GetProperty("text").GetString().ShouldBe(s_drifted.Text);
        card.GetProperty("actions")[0].GetProperty("type").GetString().ShouldBe("Action.OpenUrl");
        card.GetProperty("actions")[0].GetProperty("url").GetString().ShouldBe("https://portal.example.com/tenants/42");
        Descendants(card).Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var type) && type.GetString() == "TextBlock")
            .ShouldBeEmpty("a TextBlock reads its text as Markdown");
    }

    [Fact]
    public void Without_the_portals_address_no_format_links_anywhere()
    {
        var unlinked = s_drifted with { Link = null };

        JsonDocument.Parse(WebhookPayloads.Render(WebhookFormat.Slack, unlinked)).RootElement.GetProperty("blocks").EnumerateArray()
            .Select(b => b.GetProperty("type").GetString()).ShouldNotContain("actions");
        JsonDocument.Parse(WebhookPayloads.Render(WebhookFormat.Teams, unlinked)).RootElement.GetProperty("attachments")[0].GetProperty("content")
            .TryGetProperty("actions", out _).ShouldBeFalse();
        JsonDocument.Parse(WebhookPayloads.Render(WebhookFormat.GenericJson, unlinked)).RootElement.GetProperty("url").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void A_link_keeps_the_path_of_the_portals_address()
    {
        var e = NotificationOutbox.ApplyFailed(Guid.CreateVersion7(), Guid.CreateVersion7(), "failed", DateTime.UtcNow);
        e.TenantName = "Acme";

        Notification.Of(e, Guid.CreateVersion7(), new Uri("https://example.com/splitccp")).Link!.AbsoluteUri
            .ShouldBe($"https://example.com/splitccp/tenants/{e.TenantId}");
    }

    /// <summary>Every string Slack reads as mrkdwn: the top-level text, and the text of any mrkdwn object.</summary>
    private static List<string> MarkupTexts(JsonElement body) =>
    [
        body.GetProperty("text").GetString()!,
        .. Descendants(body).Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var type) && type.GetString() == "mrkdwn")
            .Select(e => e.GetProperty("text").GetString()!),
    ];

    private static IEnumerable<JsonElement> Descendants(JsonElement element)
    {
        yield return element;
        var children = element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().Select(p => p.Value),
            JsonValueKind.Array => element.EnumerateArray(),
            _ => [],
        };
        foreach (var child in children.SelectMany(Descendants))
        {
            yield return child;
        }
    }
}
