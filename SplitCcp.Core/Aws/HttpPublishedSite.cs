using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Aws;

/// <summary>
/// A real account's published site: an anonymous HTTPS GET, as a browser makes it. Only https:// addresses are fetched;
/// a redirect is followed only within the same origin (Connect approves one origin, so pages served from elsewhere would
/// not work); the body is streamed through SHA-256 and never kept, up to <see cref="MaxBytes"/>; the whole fetch has a
/// short time limit, so a site that never answers costs a drift check seconds, not minutes.
/// </summary>
/// <remarks>
/// A tenant with an endpoint override (moto, LocalStack) has no real bucket host or CloudFront: a public bucket's file is
/// fetched path-style from the emulator (<c>{endpoint}/{bucket}/{key}</c>, which is how emulators serve S3 objects to an
/// unsigned GET), and a CloudFront address is not fetched at all, rather than reported as broken.
/// </remarks>
public sealed class HttpPublishedSite(HttpClient http, string region, Uri? emulatorEndpoint = null, TimeProvider? time = null, TimeSpan? timeout = null)
    : IPublishedSite
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>connect-streams.js is about 730 KB; anything past this is not one of the portal's files.</summary>
    public const long MaxBytes = 5 * 1024 * 1024;

    private const int MaxRedirects = 3;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TimeSpan _timeout = timeout ?? DefaultTimeout;

    /// <summary>
    /// The client to share for the life of the process: no cookies, no credentials, no automatic redirects, answers
    /// decompressed as a browser would see them; the time limit is per fetch, not the client's.
    /// </summary>
    public static HttpClient CreateHttpClient() => new(CreateHandler())
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// The handler of <see cref="CreateHttpClient"/>; the tests send through it too. It connects only to public addresses:
    /// the pages' host is typed by whoever edits the tenant's setup, and the portal must not become their way to probe the
    /// network it runs in. A request to an emulator the MSP operator configured carries <see cref="LocalAllowed"/>.
    /// </summary>
    internal static SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = false,
        UseCookies = false,
        Credentials = null,
        PreAuthenticate = false,
        AutomaticDecompression = DecompressionMethods.All,
        ConnectTimeout = DefaultTimeout,
        ConnectCallback = ConnectPubliclyAsync,
    };

    /// <summary>Marks a request whose host may be private or local: an emulator's, or a test's loopback server.</summary>
    internal static readonly HttpRequestOptionsKey<bool> LocalAllowed = new("SplitCcp.LocalAllowed");

    private static ValueTask<Stream> ConnectPubliclyAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var localAllowed = context.InitialRequestMessage.Options.TryGetValue(LocalAllowed, out var allowed) && allowed;
        return ScreenedConnection.ConnectAsync(context, address => localAllowed || IsPublic(address), (host, address) => new LocalAddressRefusedException(host, address), ct);
    }

    /// <summary>False for loopback, private, link-local (the cloud metadata service), shared, unspecified and IPv4-embedding IPv6 addresses.</summary>
    internal static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var v6 = address.GetAddressBytes();
            return !address.IsIPv6LinkLocal && !address.IsIPv6SiteLocal && !address.IsIPv6Multicast && (v6[0] & 0xFE) != 0xFC
                && !EmbedsIPv4(v6);
        }

        var b = address.GetAddressBytes();
        return !(b[0] == 0 || b[0] == 10 || b[0] >= 224
            || (b[0] == 100 && b[1] >= 64 && b[1] < 128)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 172 && b[1] >= 16 && b[1] < 32)
            || (b[0] == 192 && b[1] == 168));
    }

    /// <summary>
    /// NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48), 6to4 (2002::/16) and IPv4-compatible (::/96) addresses carry an IPv4
    /// address that a gateway on the way may reach for them, a private one included; published pages are never served from one.
    /// </summary>
    private static bool EmbedsIPv4(byte[] v6) =>
        (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xFF && v6[3] == 0x9B && (v6.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0 || (v6[4] == 0x00 && v6[5] == 0x01)))
        || (v6[0] == 0x20 && v6[1] == 0x02)
        || v6.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;

    /// <summary>The pages' host resolved only to addresses the portal does not fetch from.</summary>
    private sealed class LocalAddressRefusedException(string host, IPAddress? address)
        : IOException($"{host} resolves to {address?.ToString() ?? "no address"}, a private or local address");

    public async Task<SiteAnswer> GetAsync(Uri url, CancellationToken ct)
    {
        if (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttps || url.UserInfo.Length > 0)
        {
            throw new ArgumentException($"Only https:// addresses of the published pages are fetched, not {url}.", nameof(url));
        }

        Uri target;
        if (emulatorEndpoint is null)
        {
            target = url;
        }
        else if (EmulatorAddress(url) is { } mapped)
        {
            target = mapped;
        }
        else
        {
            return new SiteAnswer.NotFetched(
                $"The tenant's AWS endpoint {emulatorEndpoint.GetLeftPart(UriPartial.Authority)} is an emulator that serves no CloudFront distribution, so {url.Host} is not fetched.");
        }

        using var limit = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        try
        {
            return await FetchAsync(target, linked.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return new SiteAnswer.Unreachable($"the request timed out after {Describe(_timeout)}");
        }
        catch (HttpRequestException ex)
        {
            return new SiteAnswer.Unreachable(Describe(ex, target));
        }
        catch (IOException)
        {
            return new SiteAnswer.Unreachable($"the connection to {target.Host} broke while the answer was being read");
        }
    }

    private async Task<SiteAnswer> FetchAsync(Uri target, CancellationToken ct)
    {
        var address = target;
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, address);
            request.Headers.UserAgent.ParseAdd("SplitCcp-synthetic-check/1.0");
            request.Options.Set(LocalAllowed, emulatorEndpoint is not null);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                var next = location.IsAbsoluteUri ? location : new Uri(address, location);
                if (Uri.Compare(next, target, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
                {
                    return new SiteAnswer.Unreachable(
                        $"it answers {status} and redirects to {next.GetLeftPart(UriPartial.Path)}, outside the pages' origin, which is the one Connect approves");
                }

                if (redirects == MaxRedirects)
                {
                    return new SiteAnswer.Unreachable($"it redirects more than {MaxRedirects} times");
                }

                address = next;
                continue;
            }

            var contentType = response.Content.Headers.ContentType?.ToString();
            if (status is < 200 or >= 300)
            {
                return new SiteAnswer.Served(status, contentType, null);
            }

            if (response.Content.Headers.ContentLength > MaxBytes)
            {
                return TooLarge();
            }

            await using var body = await response.Content.ReadAsStreamAsync(ct);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                long total = 0;
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    total += read;
                    if (total > MaxBytes)
                    {
                        return TooLarge();
                    }

                    hash.AppendData(buffer, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return new SiteAnswer.Served(status, contentType, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
    }

    /// <summary>A bucket's virtual-hosted address as the emulator serves it, path-style; null for any other host.</summary>
    private Uri? EmulatorAddress(Uri url)
    {
        if (SetupValues.BucketOfHost(url.IdnHost, region) is not { } bucket)
        {
            return null;
        }

        var endpoint = emulatorEndpoint!;
        return new Uri($"{endpoint.GetLeftPart(UriPartial.Authority)}{endpoint.AbsolutePath.TrimEnd('/')}/{bucket}{url.AbsolutePath}");
    }

    private static SiteAnswer.Unreachable TooLarge() =>
        new($"the answer is larger than {MaxBytes / (1024 * 1024)} MB, so it is not one of the files the portal publishes");

    private static string Describe(HttpRequestException ex, Uri target) => ex.HttpRequestError switch
    {
        _ when ex.InnerException is LocalAddressRefusedException refused =>
            $"{refused.Message}; the portal fetches the pages only from public addresses, as agents' browsers would across the internet",
        HttpRequestError.NameResolutionError => $"{target.Host} does not resolve (DNS)",
        HttpRequestError.ConnectionError => $"no connection could be made to {target.Host}",
        HttpRequestError.SecureConnectionError => $"the HTTPS connection to {target.Host} failed; check that its certificate covers {target.Host}",
        _ => $"the request to {target.Host} failed ({ex.Message})",
    };

    private static string Describe(TimeSpan span) =>
        span.TotalSeconds >= 1 ? $"{span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s" : $"{span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";
}
