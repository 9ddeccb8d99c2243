using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml;
using Amazon.Runtime;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Aws.Signed;

/// <summary>
/// Where a service lives and the name it is signed for (botocore's endpointPrefix and signingName). A global service has
/// one endpoint per partition, signed for the partition's region (<see cref="AwsPartition.GlobalEndpointOf"/>).
/// </summary>
public sealed record AwsSignedService(string EndpointPrefix, string SigningName, bool Global)
{
    public static AwsSignedService Connect { get; } = new("connect", "connect", false);
    public static AwsSignedService Iam { get; } = new("iam", "iam", true);
    public static AwsSignedService SsoAdmin { get; } = new("sso", "sso", false);
    public static AwsSignedService IdentityStore { get; } = new("identitystore", "identitystore", false);
    public static AwsSignedService AppStream { get; } = new("appstream2", "appstream", false);
    public static AwsSignedService CloudFront { get; } = new("cloudfront", "cloudfront", true);
}

/// <summary>
/// Sends SigV4-signed requests to one account's AWS services in one region, or all of them to one endpoint override (an
/// emulator such as moto or LocalStack). Credentials are resolved for every request, so refreshed sessions are picked up;
/// neither they nor signatures are ever logged or put in an exception. AWS error answers become <see cref="AwsCallException"/>s.
/// </summary>
public sealed class AwsSignedClient(HttpClient http, AWSCredentials credentials, string region, Uri? endpointOverride = null, TimeProvider? time = null)
{
    /// <summary>The timeout of <see cref="CreateHttpClient"/>; <see cref="AwsCaller"/> reports a timeout in the same terms.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly AwsPartition _partition = AwsPartitions.For(region);

    public string Region => region;

    public Uri? EndpointOverride => endpointOverride;

    /// <summary>
    /// The one HttpClient to share for the life of the process: pooled connections renewed every few minutes (so DNS changes
    /// are seen), no redirects followed, a timeout, and a cap on what an answer may hold.
    /// </summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
    })
    {
        Timeout = DefaultTimeout,
        MaxResponseContentBufferSize = 16 * 1024 * 1024,
    };

    /// <summary>The endpoint override, or the service's endpoint in the region's partition.</summary>
    /// <exception cref="AwsCallException">A global service the partition does not offer (CloudFront in AWS GovCloud (US)).</exception>
    public Uri EndpointFor(AwsSignedService service) =>
        endpointOverride ?? new Uri(service.Global ? $"https://{GlobalEndpoint(service).Host}" : $"https://{service.EndpointPrefix}.{region}.{_partition.DnsSuffix}");

    /// <summary>The region requests to the service are signed for: the partition's for a global service, else the client's.</summary>
    public string SigningRegionFor(AwsSignedService service) => service.Global ? GlobalEndpoint(service).SigningRegion : region;

    private GlobalEndpoint GlobalEndpoint(AwsSignedService service) =>
        _partition.GlobalEndpointOf(service.EndpointPrefix)
            ?? throw new AwsCallException(new AwsFailure(AwsFailureKind.InvalidInput, service.SigningName, "endpoint", region,
                $"{service.EndpointPrefix} is not offered in {_partition.Name}, where {region} is. Choose a setup that does without it."));

    /// <summary>Sends one signed request and returns the answer's body; an AWS error answer throws <see cref="AwsCallException"/>.</summary>
    public async Task<byte[]> SendAsync(
        AwsSignedService service, AwsOperation operation, string? resource, HttpMethod method, string pathAndQuery,
        IReadOnlyDictionary<string, string> headers, byte[] body, CancellationToken ct)
    {
        var uri = new Uri(EndpointFor(service), pathAndQuery);
        var identity = await credentials.GetCredentialsAsync();
        var signingRegion = SigningRegionFor(service);
        var signed = SigV4.SignedHeaders(method, uri, headers, body, identity, signingRegion, service.SigningName, _time.GetUtcNow());

        using var request = new HttpRequestMessage(method, uri);
        if (method != HttpMethod.Get)
        {
            request.Content = new ByteArrayContent(body);
        }

        foreach (var (name, value) in signed)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value;
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return await ReadAsync(request, operation, resource, signingRegion, ct);
    }

    /// <summary>An unsigned GET of a public AWS URL (no credentials go with it); error answers are handled as for signed calls.</summary>
    public async Task<byte[]> GetPublicAsync(Uri uri, AwsOperation operation, string? resource, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        return await ReadAsync(request, operation, resource, region, ct);
    }

    /// <param name="signingRegion">Where the service's quotas are, for an error that says one was reached.</param>
    private async Task<byte[]> ReadAsync(HttpRequestMessage request, AwsOperation operation, string? resource, string signingRegion, CancellationToken ct)
    {
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        if (response.IsSuccessStatusCode)
        {
            return body;
        }

        var headerCode = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        var (code, message) = ParseError(body);
        throw new AwsCallException(AwsFailure.FromError(operation.Service, operation.Name, resource, response.StatusCode, headerCode ?? code, message, signingRegion));
    }

    /// <summary>
    /// The error code and message of an AWS error body: JSON (<c>__type</c> or <c>code</c>, <c>message</c>) for the JSON
    /// protocols, <c>&lt;Error&gt;&lt;Code&gt;…&lt;Message&gt;</c> for Query and REST-XML. Nulls when the body says neither.
    /// </summary>
    internal static (string? Code, string? Message) ParseError(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body).TrimStart();
        try
        {
            if (text.StartsWith('{'))
            {
                var json = AwsJson.Parse(body);
                return (json.Str("__type") ?? json.Str("code") ?? json.Str("Code"), json.Str("message") ?? json.Str("Message"));
            }

            if (text.StartsWith('<'))
            {
                var root = AwsXml.Parse(body);
                var error = root.Name.LocalName == "Error" ? root : root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
                return (error?.Text("Code"), error?.Text("Message"));
            }
        }
        catch (Exception ex) when (ex is JsonException or XmlException)
        {
            // Not an AWS error document (a proxy's page, say): the HTTP status alone classifies it.
        }

        return (null, null);
    }
}
