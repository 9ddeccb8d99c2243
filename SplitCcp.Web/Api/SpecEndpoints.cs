using Microsoft.Net.Http.Headers;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Web.Security;

namespace SplitCcp.Web.Api;

internal static class SpecEndpoints
{
    public const string StatusHeader = "SplitCcp-Spec-Status";

    /// <summary>
    /// The largest valid spec fits: every list at its cap and every text at its longest (the metadata XML at
    /// <see cref="TenantSpecRules.MetadataXmlMaxLength"/>), written with \uXXXX escapes of 6 bytes a character, is about 3.5 MB.
    /// </summary>
    private static readonly RequestBodyLimit s_specBodyLimit = new(4 * 1024 * 1024);

    public static RouteGroupBuilder MapSpecEndpoints(this RouteGroupBuilder tenants)
    {
        var route = $"/{{{TenantRouteGuard.RouteParameter}:guid}}/spec";

        tenants.MapGet(route, async (HttpContext http, CheckedTenant tenant, TenantSpecService specs, CancellationToken ct) =>
            {
                if (await specs.GetAsync(tenant, ct) is not { } found)
                {
                    return ApiResults.NotFound("tenant");
                }

                var record = found.Record;
                http.Response.Headers.ETag = new EntityTagHeaderValue($"\"{record.Version}\"").ToString();
                http.Response.Headers[StatusHeader] = !record.Exists ? "default" : record.IsDraft ? "draft" : "complete";
                return Results.Text(TenantSpecJson.Serialize(record.Spec), "application/json");
            })
            .WithSummary("The tenant's desired state. 'SplitCcp-Spec-Status' says whether it is the generated default, a wizard draft, or complete; the ETag is its version.")
            .Produces<TenantSpec>()
            .WithTags("Setup spec");

        tenants.MapPut(route, async (HttpContext http, CheckedTenant tenant, TenantSpecService specs, CancellationToken ct) =>
            {
                using var reader = new StreamReader(http.Request.Body);
                var (parsed, errors) = TenantSpecJson.Parse(await reader.ReadToEndAsync(ct));
                if (parsed is null)
                {
                    return ApiResults.ValidationFailed(errors);
                }

                if (!TryReadIfMatch(http, out var expected))
                {
                    return ApiResults.ValidationFailed(new Dictionary<string, string[]> { ["If-Match"] = ["Send the ETag you read, such as \"3\"."] });
                }

                try
                {
                    return await specs.SaveCompleteAsync(tenant, parsed, expected, ct) switch
                    {
                        SpecSaveResult.Saved saved => Saved(http, saved.Record),
                        SpecSaveResult.Invalid invalid => ApiResults.ValidationFailed(invalid.Errors),
                        SpecSaveResult.Conflict conflict => ApiResults.Conflict(conflict.Message),
                        _ => ApiResults.NotFound("tenant"),
                    };
                }
                catch (TenantAccessDeniedException ex)
                {
                    return ApiResults.Forbidden(ex.Message);
                }
            })
            .WithSummary("Replaces the tenant's desired state with a complete spec. Every field is validated; errors come back per JSON path. Send If-Match with the ETag you read to refuse a concurrent change (409). A body over 4 MB is refused (413).")
            .WithMetadata(s_specBodyLimit)
            .Accepts<TenantSpec>("application/json")
            .ProducesValidationProblem()
            .WithTags("Setup spec");

        tenants.MapGet($"/{{{TenantRouteGuard.RouteParameter}:guid}}/connect-instances", async (CheckedTenant tenant, ConnectInstances instances, CancellationToken ct) =>
                await instances.ListAsync(tenant, ct) switch
                {
                    ConnectInstanceListing.Listed { Instances: var listed } => Results.Ok(listed),
                    ConnectInstanceListing.Unavailable { Reason: var reason } =>
                        TypedResults.Problem(statusCode: 502, title: "The tenant's Connect instances could not be listed", detail: reason),
                    _ => ApiResults.NotFound("tenant"),
                })
            .WithSummary("The Connect instances in the tenant's account and region (ID, ARN, alias, status, identity management), for a setup that uses an existing instance. The split CCP needs one whose identity management is SAML.")
            .Produces<IReadOnlyList<SplitCcp.Core.Aws.Gateways.ConnectInstance>>()
            .WithTags("Setup spec");

        return tenants;
    }

    private static IResult Saved(HttpContext http, TenantSpecRecord record)
    {
        http.Response.Headers.ETag = new EntityTagHeaderValue($"\"{record.Version}\"").ToString();
        http.Response.Headers[StatusHeader] = "complete";
        return Results.Text(TenantSpecJson.Serialize(record.Spec), "application/json");
    }

    private static bool TryReadIfMatch(HttpContext http, out int? version)
    {
        version = null;
        var header = http.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return true;
        }

        if (int.TryParse(header.Trim().Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }

        return false;
    }
}
