namespace SplitCcp.Core.Aws.Gateways;

/// <summary>
/// The CCP pages' site as agents' browsers reach it: a plain GET of a published file, no AWS signing and no credentials,
/// so what it answers is what an agent gets. It is not an AWS API call and needs no IAM action. Callers pass only
/// addresses built from the tenant's validated setup (<c>SetupValues.AudioOnlyUrl</c> and the like), never user input.
/// </summary>
public interface IPublishedSite
{
    Task<SiteAnswer> GetAsync(Uri url, CancellationToken ct);
}

/// <summary>What fetching one published file gave.</summary>
public abstract record SiteAnswer
{
    private SiteAnswer()
    {
    }

    /// <summary>
    /// The site answered. <paramref name="Sha256"/> is the body's SHA-256 (lowercase hex) when the status is 2xx, null otherwise.
    /// </summary>
    public sealed record Served(int StatusCode, string? ContentType, string? Sha256) : SiteAnswer;

    /// <summary>No usable answer (a timeout, a host that does not resolve, a refused connection); the reason in an operator's words.</summary>
    public sealed record Unreachable(string Reason) : SiteAnswer;

    /// <summary>This account cannot fetch the address the way agents do (an emulator serves no CloudFront), so nothing was fetched.</summary>
    public sealed record NotFetched(string Reason) : SiteAnswer;
}
