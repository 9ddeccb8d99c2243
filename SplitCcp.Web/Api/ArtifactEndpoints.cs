using System.Security.Claims;
using SplitCcp.Core.Ccp;
using SplitCcp.Web.Security;

namespace SplitCcp.Web.Api;

internal static class ArtifactEndpoints
{
    private const string Route = $"/{{{TenantRouteGuard.RouteParameter}:guid}}/artifacts/{{name}}";

    /// <summary>GET /api/tenants/{tenantId}/artifacts/{name}, for scripts.</summary>
    public static RouteGroupBuilder MapArtifactEndpoints(this RouteGroupBuilder tenants)
    {
        tenants.MapGet(Route, DownloadAsync)
            .WithTags("Setup files")
            .WithSummary($"Downloads a generated file: {string.Join(", ", TenantArtifacts.Names)}. 409 says what the setup still lacks.");
        return tenants;
    }

    /// <summary>GET /tenants/{tenantId}/artifacts/{name}: the download buttons of the tenant page, with the sign-in cookie.</summary>
    public static IEndpointRouteBuilder MapArtifactDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/tenants" + Route, DownloadAsync).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> DownloadAsync(HttpContext http, ClaimsPrincipal user, TenantArtifacts artifacts, Guid tenantId, string name, CancellationToken ct)
    {
        switch (await artifacts.GetAsync(user, tenantId, name, ct))
        {
            case ArtifactResult.Found { Artifact: var file }:
                // Always an attachment: a generated page must never run on the portal's own origin.
                http.Response.Headers.CacheControl = "no-store";
                return Results.File(file.Content.ToArray(), file.ContentType, file.FileName);
            case ArtifactResult.NotReady notReady:
                return ApiResults.Conflict($"{name} cannot be generated yet: {notReady.Reason}");
            default:
                return TypedResults.Problem(statusCode: 404, title: "Not found",
                    detail: $"There is no file '{name}'. The files are: {string.Join(", ", TenantArtifacts.Names)}.");
        }
    }
}
