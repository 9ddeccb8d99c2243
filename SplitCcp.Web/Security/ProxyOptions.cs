using System.ComponentModel.DataAnnotations;
using System.Net;

namespace SplitCcp.Web.Security;

/// <summary>
/// The reverse proxies (TLS-terminating load balancers) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> the portal
/// believes, from <c>SplitCcp:Proxy</c>. None by default: the headers are then ignored, since anyone can send them.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string SectionName = "SplitCcp:Proxy";

    /// <summary>Addresses of the proxies, such as <c>10.0.0.5</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks the proxies are in, in CIDR notation, such as <c>172.18.0.0/16</c> for a compose network.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    internal bool Any => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    internal IEnumerable<IPAddress> Proxies => KnownProxies.Select(p => IPAddress.Parse(p.Trim()));

    internal IEnumerable<IPNetwork> Networks => KnownNetworks.Select(n => IPNetwork.Parse(n.Trim()));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p.Trim(), out _)))
        {
            yield return new ValidationResult($"{SectionName}:KnownProxies: '{proxy}' is not an IP address.", [nameof(KnownProxies)]);
        }

        foreach (var network in KnownNetworks.Where(n => !IPNetwork.TryParse(n.Trim(), out _)))
        {
            yield return new ValidationResult($"{SectionName}:KnownNetworks: '{network}' is not a network in CIDR notation, such as 172.18.0.0/16.", [nameof(KnownNetworks)]);
        }
    }
}
