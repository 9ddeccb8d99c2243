using System.Net;
using System.Net.Sockets;
using SplitCcp.Core.Security;

namespace SplitCcp.Core.Notifications;

/// <summary>What an endpoint must be, one rule per field, keyed by the API's field names; the page checks the same rules as they are typed.</summary>
public static class NotificationRules
{
    public const int MaxNameLength = 100;

    public const int MaxUrlLength = 2048;

    public static string? ValidateName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "Enter a name, such as Ops Slack channel."
        : name.Trim().Length > MaxNameLength ? $"Use at most {MaxNameLength} characters."
        : null;

    /// <summary>
    /// An absolute https:// address with no user name, password or fragment; http:// only to a loopback address (a receiver
    /// on the portal's own machine), unless <paramref name="allowHttp"/>. Never a link-local address: 169.254.169.254 is
    /// the cloud's metadata service, not a webhook.
    /// </summary>
    public static string? ValidateUrl(string? url, bool allowHttp)
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

        if (Literal(uri) is { } address && IsNeverAReceiver(address))
        {
            return $"{address} is a link-local, multicast or unspecified address, which no webhook receiver has.";
        }

        return uri.Scheme == Uri.UriSchemeHttp && !allowHttp && !IsLoopback(uri)
            ? "Use https://. Plain http:// is only for a receiver on this machine (localhost, 127.0.0.1, [::1]) unless the portal allows it (SplitCcp:Notifications:AllowHttp)."
            : null;
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

    /// <summary>Every field's errors; the tenants an endpoint chose must be in the caller's scope, and only a caller who sees every tenant may choose all.</summary>
    public static Dictionary<string, string[]> Validate(EndpointInput input, bool allowHttp, TenantScope scope)
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
        Check("url", ValidateUrl(input.Url, allowHttp));
        Check("format", input.Format is null ? "Choose a format: GenericJson, Slack or Teams." : null);
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
