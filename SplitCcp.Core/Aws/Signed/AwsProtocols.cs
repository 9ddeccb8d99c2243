using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Core.Aws.Signed;

/// <summary>
/// One AWS wire protocol over <see cref="AwsSignedClient"/>. Every call goes through <see cref="IAwsCaller"/> with the
/// gateway's declared operation, whose <see cref="AwsOperation.Name"/> is also the action on the wire.
/// </summary>
public abstract class AwsProtocol(AwsSignedClient client, IAwsCaller caller, AwsSignedService service)
{
    protected Task<T> SendAsync<T>(
        AwsOperation operation, string? resource, HttpMethod method, string pathAndQuery, IReadOnlyDictionary<string, string> headers,
        Func<byte[]> body, Func<byte[], T> parse, CancellationToken ct) =>
        caller.CallAsync(operation, resource,
            async token => parse(await client.SendAsync(service, operation, resource, method, pathAndQuery, headers, body(), token)), ct);
}

/// <summary>AWS JSON 1.1: POST / with <c>X-Amz-Target: prefix.Action</c> (AppStream, SSO Admin, Identity Store).</summary>
public sealed class AwsJsonRpc(AwsSignedClient client, IAwsCaller caller, AwsSignedService service, string targetPrefix)
    : AwsProtocol(client, caller, service)
{
    public Task<JsonElement> CallAsync(AwsOperation operation, string? resource, JsonObject request, CancellationToken ct) =>
        SendAsync(operation, resource, HttpMethod.Post, "/",
            new Dictionary<string, string>
            {
                ["Content-Type"] = "application/x-amz-json-1.1",
                ["X-Amz-Target"] = $"{targetPrefix}.{operation.Name}",
            },
            () => AwsJson.Serialize(request), AwsJson.Parse, ct);
}

/// <summary>REST-JSON: the operation's method and path, a JSON body when it has one (Connect).</summary>
public sealed class AwsRestJson(AwsSignedClient client, IAwsCaller caller, AwsSignedService service) : AwsProtocol(client, caller, service)
{
    public Task<JsonElement> CallAsync(
        AwsOperation operation, string? resource, HttpMethod method, string pathAndQuery, JsonObject? request, CancellationToken ct) =>
        SendAsync(operation, resource, method, pathAndQuery,
            request is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Content-Type"] = "application/json" },
            () => request is null ? [] : AwsJson.Serialize(request), AwsJson.Parse, ct);
}

/// <summary>Query: a form-encoded POST of Action, Version and the parameters; the answer's <c>&lt;ActionResult&gt;</c> element (IAM).</summary>
public sealed class AwsQuery(AwsSignedClient client, IAwsCaller caller, AwsSignedService service, string version) : AwsProtocol(client, caller, service)
{
    public Task<XElement> CallAsync(AwsOperation operation, string? resource, IEnumerable<(string Name, string? Value)> parameters, CancellationToken ct) =>
        SendAsync(operation, resource, HttpMethod.Post, "/",
            new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" },
            () => Encoding.UTF8.GetBytes(AwsPath.Form([("Action", operation.Name), ("Version", version), .. parameters])),
            body => AwsXml.Parse(body) is var root && root.Child($"{operation.Name}Result") is { } result ? result : root, ct);
}

/// <summary>REST-XML: the operation's method and versioned path, an XML body when it has one; the answer's root element (CloudFront).</summary>
public sealed class AwsRestXml(AwsSignedClient client, IAwsCaller caller, AwsSignedService service) : AwsProtocol(client, caller, service)
{
    public Task<XElement> CallAsync(AwsOperation operation, string? resource, HttpMethod method, string pathAndQuery, XElement? request, CancellationToken ct) =>
        SendAsync(operation, resource, method, pathAndQuery,
            request is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Content-Type"] = "application/xml" },
            () => request is null ? [] : Encoding.UTF8.GetBytes(request.ToString(SaveOptions.DisableFormatting)), AwsXml.Parse, ct);
}
