using System.Net;
using System.Net.Sockets;
using SplitCcp.Core.Security;

namespace SplitCcp.Core.Notifications;

/// <summary>What an endpoint must be, one rule per field, keyed by the API's field names; the page checks the same rules as they are typed.</summary>
public static class NotificationRules
{
    public const int MaxNameLength = 100;

    public const int MaxUrlLength = 2048;

    public const int MaxRecipients = 10;

    /// <summary>What an e-mail endpoint needs that only the portal's settings can give.</summary>
    public const string NoMailServer =
        "E-mail needs the portal's SMTP server, which is not set up (SplitCcp__Mail__Host): ask whoever runs the portal, or use a webhook.";

    public static string? ValidateName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "Enter a name, such as Ops Slack channel."
        : name.Trim().Length > MaxNameLength ? $"Use at most {MaxNameLength} characters."
        : null;

    /// <summary>
    /// An absolute https:// address with no user name, password or fragment; http:// only to a loopback address (a receiver
    /// on the portal's own machine), unless <paramref name="allowHttp"/>. Never a link-local address: 169.254.169.254 is
    /// the cloud's metadata service, not a webhook.
    /// </summary>
    public static string? ValidateUrl(string? url, bool allowHttp, bool allowPrivateNetworks = false)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "Enter the webhook's address, such as https://hooks.slack.com/services/….";
        }

        if (url.Length > MaxUrlLength)
        {
            return $"Use at most {MaxUrlLength} characters.";
        }

        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
        {
            return "Enter a full address that starts with https://.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "Leave the user name and password out of the address; deliveries are signed with the endpoint's secret instead.";
        }

        if (uri.Fragment.Length > 0)
        {
            return "Leave out the part after #: it is never sent to the receiver.";
        }

        if (Literal(uri) is { } address && Refusal(address, allowPrivateNetworks) is { } refusal)
        {
            return $"{address} is {refusal}.";
        }

        return uri.Scheme == Uri.UriSchemeHttp && !allowHttp && !IsLoopback(uri)
            ? "Use https://. Plain http:// is only for a receiver on this machine (localhost, 127.0.0.1, [::1]) unless the portal allows it (SplitCcp:Notifications:AllowHttp)."
            : null;
    }

    /// <summary>The addresses in what a person typed: separated by commas, semicolons, spaces or new lines.</summary>
    public static IReadOnlyList<string> ParseRecipients(string? text) =>
        (text ?? "").Split([',', ';', ' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// One to <see cref="MaxRecipients"/> plain addresses (<c>ops@msp.example</c>, no display name), each once: nothing
    /// that could add a header or another recipient to the mail.
    /// </summary>
    public static string? ValidateRecipients(IReadOnlyList<string>? recipients)
    {
        if (recipients is not { Count: > 0 })
        {
            return "Enter at least one e-mail address, such as ops@msp.example.";
        }

        if (recipients.Count > MaxRecipients)
        {
            return $"Enter at most {MaxRecipients} addresses; a distribution list reaches more people.";
        }

        if (recipients.FirstOrDefault(r => !IsPlainAddress(r)) is { } bad)
        {
            return $"'{bad}' is not an e-mail address such as ops@msp.example.";
        }

        if (recipients.GroupBy(r => r.Trim(), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return $"{twice.Key} is entered twice.";
        }

        return NotificationEndpoint.MailtoPrefix.Length + recipients.Sum(r => r.Trim().Length + 1) > MaxUrlLength
            ? "These addresses are too long together; use a distribution list."
            : null;
    }

    private static bool IsPlainAddress(string? text) =>
        text is { Length: > 0 and <= 254 }
        && System.Net.Mail.MailAddress.TryCreate(text.Trim(), out var address)
        && address.Address == text.Trim()
        && string.IsNullOrEmpty(address.DisplayName)
        && address.Host.Contains('.', StringComparison.Ordinal)
        && !text.Any(c => char.IsControl(c) || c is ',' or ';' or '<' or '>' or '"');

    /// <summary>What <paramref name="address"/> is that no webhook is sent to it (to follow "… is"), or null when one may be.</summary>
    public static string? Refusal(IPAddress address, bool allowPrivateNetworks) =>
        IsNeverAReceiver(address) ? "a link-local, multicast or unspecified address, which no webhook receiver has"
        : !allowPrivateNetworks && IsPrivate(address)
            ? "a private network address: webhooks go to the internet (or this machine) unless the portal allows private networks (SplitCcp:Notifications:AllowPrivateNetworks)"
        : null;

    /// <summary>A private network's address (RFC 1918, shared address space, unique local IPv6), not the internet's nor this machine's.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var first = address.GetAddressBytes()[0];
            return (first & 0xFE) == 0xFC || address.IsIPv6SiteLocal;
        }

        var b = address.GetAddressBytes();
        return b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) || (b[0] == 100 && (b[1] & 0xC0) == 64);
    }

    /// <summary>The URL's host is the loopback interface: <c>localhost</c> or a loopback address.</summary>
    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (Literal(uri) is { } address && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address));

    /// <summary>Addresses a webhook is never sent to, whatever its name resolves to: link-local (the metadata service), multicast, unspecified, broadcast.</summary>
    public static bool IsNeverAReceiver(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6Multicast;
        }

        var b = address.GetAddressBytes();
        return b[0] == 0 || b[0] >= 224 || (b[0] == 169 && b[1] == 254);
    }

    /// <summary>
    /// Every field's errors; the tenants an endpoint chose must be in the caller's scope, and only a caller who sees every
    /// tenant may choose all. A webhook needs its address and format; an e-mail endpoint its recipients and a portal that
    /// can send mail (<paramref name="canMail"/>).
    /// </summary>
    public static Dictionary<string, string[]> Validate(EndpointInput input, bool allowHttp, TenantScope scope, bool canMail, bool allowPrivateNetworks = false)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Check(string field, string? error)
        {
            if (error is not null)
            {
                errors[field] = [error];
            }
        }

        Check("name", ValidateName(input.Name));
        if (input.Channel == NotificationChannel.Email)
        {
            // Without a mail server an e-mail endpoint can still be switched off (or changed while off), not made to send.
            Check("recipients", canMail || !input.Enabled ? ValidateRecipients(input.Recipients) : NoMailServer);
        }
        else
        {
            Check("channel", input.Channel is null or NotificationChannel.Webhook ? null : "Choose a channel: Webhook or Email.");
            Check("url", ValidateUrl(input.Url, allowHttp, allowPrivateNetworks));
            Check("format", input.Format is null ? "Choose a format: GenericJson, Slack or Teams." : null);
        }

        Check("events", input.Events is not { Count: > 0 } ? "Choose at least one event."
            : input.Events.Any(e => !NotificationEvents.Choosable.Contains(e)) ? $"Choose from {string.Join(", ", NotificationEvents.Choosable)}."
            : null);
        Check("tenantIds", input.AllTenants
            ? scope.AllTenants ? null : "Only an MSP operator can choose every tenant; choose your tenants instead."
            : input.TenantIds is not { Count: > 0 } ? "Choose at least one tenant, or every tenant."
            : input.TenantIds.Count > 500 ? "Choose at most 500 tenants, or every tenant."
            : input.TenantIds.Any(id => !scope.Contains(id)) ? "Choose only tenants you manage."
            : null);
        return errors;
    }

    private static IPAddress? Literal(Uri uri) =>
        uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.DnsSafeHost, out var address) ? address : null;
}
