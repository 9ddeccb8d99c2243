using System.ComponentModel.DataAnnotations;

namespace SplitCcp.Core.Notifications;

/// <summary>How notifications are delivered, from <c>SplitCcp:Notifications</c>.</summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string SectionName = "SplitCcp:Notifications";

    /// <summary>False to stop this portal sending the outbox; events are still recorded, and "Send test" still sends.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the outbox is looked at for events to fan out and deliveries that are due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one attempt may take, connecting included, before it counts as a timeout (and is retried).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per delivery, the first included, on timeouts, 5xx and 429 answers.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait before the second attempt; each further wait doubles, up to <see cref="MaxRetryDelay"/>, less up to half at random.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Lets endpoints use plain http:// to any host; without it only loopback addresses may (a receiver on the portal's machine).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Lets webhooks reach private network addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): off, a tenant admin
    /// could aim the portal at services inside the network it runs in. Loopback (this machine) is allowed either way.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long finished deliveries stay in the log.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan LogRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// The portal's address as people open it, such as https://portal.example.com: notifications then link to the tenant's
    /// page. Set by <see cref="PortalAddress.SettingName"/>, which mail uses too; this section's own key is still read.
    /// </summary>
    public Uri? PortalUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PortalUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult(
                $"{PortalAddress.SettingName} must be the portal's absolute http(s) address, such as https://portal.example.com.", [nameof(PortalUrl)]);
        }

        if (MaxRetryDelay < RetryDelay)
        {
            yield return new ValidationResult($"{SectionName}:MaxRetryDelay must not be shorter than RetryDelay.", [nameof(MaxRetryDelay)]);
        }
    }
}
