using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SplitCcp.Tests.Integration.Aws;

/// <summary>
/// A request the stub accepted: its signing service and region, the JSON 1.1 target, the Query action or the REST route's
/// values, and its JSON body (a Query call's form is in <see cref="Query"/>).
/// </summary>
public sealed record StubCall(string Service, string Method, string Path, string? Target, IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> RouteValues, JsonElement Body, IReadOnlyDictionary<string, string> Headers, string RawBody,
    string SigningRegion = AwsStub.Region);

/// <summary>
/// An answer in AWS's shapes: a JSON body, or an error as JSON 1.1 (<c>__type</c>) or REST-JSON (<c>x-amzn-ErrorType</c>)
/// sends it, or an XML document (REST-XML).
/// </summary>
public sealed record StubReply(int Status, string Body, string? ErrorTypeHeader = null, string ContentType = "application/x-amz-json-1.1")
{
    public static StubReply Json(object body) => new(200, JsonSerializer.Serialize(body));

    public static StubReply Empty() => new(200, "{}");

    public static StubReply JsonRpcError(int status, string type, string message) =>
        new(status, JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = $"com.amazonaws.stub#{type}", ["message"] = message }));

    public static StubReply RestError(int status, string type, string message) =>
        new(status, JsonSerializer.Serialize(new Dictionary<string, string> { ["Message"] = message }),
            $"{type}:http://internal.amazon.com/coral/com.amazonaws.stub/", "application/json");

    public static StubReply Xml(string body) => new(200, body, null, "text/xml");
}

/// <summary>
/// A real HTTP listener (Kestrel on a free loopback port) standing in for the AWS services moto lacks. Like AWS, it first
/// recomputes the SigV4 signature from the request as received, with the test credentials and its own implementation
/// (HMAC-SHA256 here, not the client's signer), and refuses a mismatch, a stale or missing X-Amz-Date, another service's
/// scope, or an unknown key with AWS's 403 answers. Then it checks the JSON 1.1 target and content type or the REST
/// method and path, parses the JSON body, and answers with the handler registered for that operation.
/// </summary>
public sealed class AwsStub : IAsyncDisposable
{
    public const string AccessKey = "AKIDSTUBEXAMPLE00001";
    public const string SecretKey = "stub/Secret+Key/for/the/wire/tests00001";
    public const string Region = "eu-west-2";
    public const string JsonRpcContentType = "application/x-amz-json-1.1";
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Func<StubCall, StubReply>> _targets = new(StringComparer.Ordinal);
    private readonly List<(string Service, string Method, string[] Segments, Func<StubCall, StubReply> Handler)> _routes = [];
    private readonly ConcurrentDictionary<string, Func<StubReply>> _public = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<StubCall, StubReply>> _actions = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public Uri Endpoint { get; private set; } = default!;

    /// <summary>Every request that passed the signature check and reached a handler, in order.</summary>
    public ConcurrentQueue<StubCall> Calls { get; } = new();

    /// <summary>Every refusal the stub sent before reaching a handler: (status, error type).</summary>
    public ConcurrentQueue<(int Status, string Type)> Refusals { get; } = new();

    /// <summary>The session token requests must carry (signed), when the test uses session credentials.</summary>
    public string? RequiredSessionToken { get; set; }

    /// <summary>
    /// The region each service's requests must be signed for, where it is not <see cref="Region"/>: the commercial
    /// partition's global services (IAM, CloudFront) are signed for us-east-1 unless a test says otherwise.
    /// </summary>
    public ConcurrentDictionary<string, string> SigningRegions { get; } = DefaultSigningRegions();

    public static async Task<AwsStub> StartAsync()
    {
        var stub = new AwsStub();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(stub.HandleAsync);
        await app.StartAsync();
        stub._app = app;
        stub.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return stub;
    }

    /// <summary>Answers an AWS JSON 1.1 operation, e.g. ("appstream", "PhotonAdminProxyService.DescribeFleets").</summary>
    public void OnTarget(string service, string target, Func<StubCall, StubReply> handler) => _targets[$"{service} {target}"] = handler;

    /// <summary>Answers a REST-JSON operation; <c>{name}</c> segments of the pattern match any one path segment.</summary>
    public void OnRest(string service, string method, string pathPattern, Func<StubCall, StubReply> handler)
    {
        lock (_routes)
        {
            _routes.Add((service, method, pathPattern.Split('/'), handler));
        }
    }

    /// <summary>
    /// Answers an unsigned GET (a public URL such as SAML metadata); a request carrying credentials is refused. Any other
    /// unsigned GET is a plain 404, as a web server answers an unknown URL.
    /// </summary>
    public void OnPublicGet(string path, Func<StubReply> handler) => _public[path] = handler;

    /// <summary>Answers a Query-protocol operation (a form POSTed to /), e.g. ("iam", "GetRole"); its form is the call's Query.</summary>
    public void OnAction(string service, string action, Func<StubCall, StubReply> handler) => _actions[$"{service} {action}"] = handler;

    public StubCall[] CallsTo(string target) => [.. Calls.Where(c => c.Target == target)];

    /// <summary>Forgets every handler, call and refusal, as if just started.</summary>
    public void Reset()
    {
        _targets.Clear();
        _public.Clear();
        _actions.Clear();
        SigningRegions.Clear();
        foreach (var (service, region) in DefaultSigningRegions())
        {
            SigningRegions[service] = region;
        }

        lock (_routes)
        {
            _routes.Clear();
        }

        Calls.Clear();
        Refusals.Clear();
        RequiredSessionToken = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var rawPath = rawTarget.Split('?')[0];
        var rawQuery = rawTarget.Contains('?', StringComparison.Ordinal) ? rawTarget[(rawTarget.IndexOf('?', StringComparison.Ordinal) + 1)..] : "";

        var reply = _public.TryGetValue(rawPath, out var publicHandler)
            ? request.Headers.Authorization.Count > 0 ? Refuse(400, "UnexpectedCredentials", "A public URL was sent credentials.") : publicHandler()
            : request.Method == "GET" && request.Headers.Authorization.Count == 0
                ? new StubReply(404, "Not Found", null, "text/plain")
                : CheckSignature(request, rawPath, rawQuery, body, out var service, out var signingRegion) ?? Dispatch(request, service!, signingRegion!, rawPath, rawQuery, body);

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = reply.ContentType;
        if (reply.ErrorTypeHeader is { } errorType)
        {
            context.Response.Headers["x-amzn-ErrorType"] = errorType;
        }

        await context.Response.WriteAsync(reply.Body);
    }

    private StubReply Dispatch(HttpRequest request, string service, string signingRegion, string rawPath, string rawQuery, byte[] body)
    {
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        if (request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) == true)
        {
            var form = ParsePairs(Encoding.UTF8.GetString(body).Replace('+', ' '));
            if (request.Method != "POST" || rawPath != "/" || !form.TryGetValue("Action", out var action))
            {
                return Refuse(400, "InvalidAction", "Query calls are a POST to / with an Action.");
            }

            return _actions.TryGetValue($"{service} {action}", out var onAction)
                ? Record(new StubCall(service, request.Method, rawPath, null, form, new Dictionary<string, string>(), default, headers, Encoding.UTF8.GetString(body), signingRegion), onAction)
                : Refuse(400, "InvalidAction", $"The stub has no {action} for {service}.");
        }

        // REST-XML bodies are kept as text for the handler; everything else must be JSON.
        var xml = request.ContentType == "application/xml";
        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(body.Length == 0 || xml ? "{}"u8.ToArray() : body);
            json = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return Refuse(400, "SerializationException", $"The body is not JSON: {ex.Message}");
        }

        var rawBody = Encoding.UTF8.GetString(body);
        var query = ParsePairs(rawQuery);
        var target = request.Headers["X-Amz-Target"].ToString();
        if (target.Length > 0)
        {
            if (request.Method != "POST" || rawPath != "/")
            {
                return Refuse(400, "UnknownOperationException", $"JSON 1.1 calls are POST /, not {request.Method} {rawPath}.");
            }

            if (request.ContentType != JsonRpcContentType)
            {
                return Refuse(400, "SerializationException", $"Content-Type must be {JsonRpcContentType}, not {request.ContentType}.");
            }

            if (json.ValueKind != JsonValueKind.Object)
            {
                return Refuse(400, "SerializationException", "The body must be a JSON object.");
            }

            return _targets.TryGetValue($"{service} {target}", out var handler)
                ? Record(new StubCall(service, request.Method, rawPath, target, query, new Dictionary<string, string>(), json, headers, rawBody, signingRegion), handler)
                : Refuse(400, "UnknownOperationException", $"The stub has no {target} for {service}.");
        }

        var segments = rawPath.Split('/');
        List<(string Service, string Method, string[] Segments, Func<StubCall, StubReply> Handler)> routes;
        lock (_routes)
        {
            routes = [.. _routes.Where(r => r.Service == service && r.Method == request.Method && r.Segments.Length == segments.Length)];
        }

        // The latest registration of a route wins.
        foreach (var route in Enumerable.Reverse(routes))
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var matches = route.Segments.Zip(segments).All(pair =>
            {
                if (pair.First.StartsWith('{'))
                {
                    values[pair.First.Trim('{', '}')] = Uri.UnescapeDataString(pair.Second);
                    return true;
                }

                return pair.First == pair.Second;
            });
            if (matches)
            {
                if (body.Length > 0 && request.ContentType != (service == "cloudfront" ? "application/xml" : "application/json"))
                {
                    return Refuse(400, "SerializationException", $"{request.ContentType} is the wrong content type for {service}.");
                }

                return Record(new StubCall(service, request.Method, rawPath, null, query, values, json, headers, rawBody, signingRegion), route.Handler);
            }
        }

        return Refuse(404, "UnknownOperationException", $"The stub has no {request.Method} {rawPath} for {service}.");
    }

    private static Dictionary<string, string> ParsePairs(string encoded) =>
        encoded.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "", StringComparer.Ordinal);

    private static ConcurrentDictionary<string, string> DefaultSigningRegions() =>
        new(StringComparer.Ordinal) { ["iam"] = "us-east-1", ["cloudfront"] = "us-east-1" };

    private StubReply Record(StubCall call, Func<StubCall, StubReply> handler)
    {
        Calls.Enqueue(call);
        return handler(call);
    }

    private StubReply Refuse(int status, string type, string message)
    {
        Refusals.Enqueue((status, type));
        return StubReply.JsonRpcError(status, type, message);
    }

    /// <summary>Null when the request is signed right for the stub's key and region; otherwise AWS's refusal.</summary>
    private StubReply? CheckSignature(HttpRequest request, string rawPath, string rawQuery, byte[] body, out string? service, out string? signingRegion)
    {
        service = null;
        signingRegion = null;
        var authorization = request.Headers.Authorization.ToString();
        const string Algorithm = "AWS4-HMAC-SHA256";
        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return Refuse(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        var parts = authorization[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedHeaderList)
            || !parts.TryGetValue("Signature", out var signature))
        {
            return Refuse(400, "IncompleteSignatureException", "Authorization header requires Credential, SignedHeaders and Signature.");
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
        {
            return Refuse(400, "IncompleteSignatureException", "The credential scope is malformed.");
        }

        if (scope[0] != AccessKey)
        {
            return Refuse(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (!DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return Refuse(403, "InvalidSignatureException", "The request has no valid X-Amz-Date.");
        }

        if ((DateTime.UtcNow - signedAt).Duration() > MaxClockSkew)
        {
            return Refuse(403, "InvalidSignatureException", $"Signature expired: {amzDate} is now earlier or later than the allowed skew.");
        }

        // Global services are signed for their partition's signing region (us-east-1 in the commercial one), whatever the tenant's region.
        var region = SigningRegions.GetValueOrDefault(scope[3], Region);
        if (scope[1] != amzDate[..8] || scope[2] != region)
        {
            return Refuse(403, "InvalidSignatureException", $"Credential should be scoped to a valid region and date, not {scope[1]}/{scope[2]}.");
        }

        var signedHeaders = signedHeaderList.Split(';');
        string[] mustSign = ["host", "x-amz-date", .. request.Headers.ContainsKey("X-Amz-Target") ? ["x-amz-target"] : Array.Empty<string>(),
            .. request.ContentType is not null ? ["content-type"] : Array.Empty<string>(),
            .. request.Headers.ContainsKey("X-Amz-Security-Token") ? ["x-amz-security-token"] : Array.Empty<string>()];
        if (mustSign.Except(signedHeaders).FirstOrDefault() is { } unsigned)
        {
            return Refuse(403, "InvalidSignatureException", $"The {unsigned} header must be signed.");
        }

        if (RequiredSessionToken is { } token && request.Headers["X-Amz-Security-Token"].ToString() != token)
        {
            return Refuse(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var canonicalRequest = string.Join('\n',
            request.Method,
            string.Join('/', rawPath.Split('/').Select(Uri.EscapeDataString)),
            string.Join('&', rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2))
                .Select(p => (Name: Uri.EscapeDataString(Uri.UnescapeDataString(p[0])), Value: p.Length > 1 ? Uri.EscapeDataString(Uri.UnescapeDataString(p[1])) : ""))
                .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
                .Select(p => $"{p.Name}={p.Value}")),
            string.Concat(signedHeaders.Select(h => $"{h}:{string.Join(' ', request.Headers[h].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))}\n")),
            signedHeaderList,
            Convert.ToHexStringLower(SHA256.HashData(body)));
        var stringToSign = string.Join('\n', Algorithm, amzDate, string.Join('/', scope[1..]), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        var key = Encoding.UTF8.GetBytes("AWS4" + SecretKey);
        foreach (var part in scope[1..])
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return Refuse(403, "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
        }

        service = scope[3];
        signingRegion = scope[2];
        return null;
    }
}
