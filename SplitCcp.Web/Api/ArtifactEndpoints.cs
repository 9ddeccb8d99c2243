using SplitCcp.Core.Aws;
using SplitCcp.Core.Ccp;
using SplitCcp.Web.Security;

namespace SplitCcp.Web.Api;

internal static class ArtifactEndpoints
{
    private const string TenantRoute = $"/{{{TenantRouteGuard.RouteParameter}:guid}}";
    private const string Route = $"{TenantRoute}/artifacts/{{name}}";
    private const string OnboardingRoute = $"{TenantRoute}/onboarding-template";

    /// <summary>GET /api/tenants/{tenantId}/artifacts/{name} and /onboarding-template, for scripts.</summary>
    public static RouteGroupBuilder MapArtifactEndpoints(this RouteGroupBuilder tenants)
    {
        tenants.MapGet(Route, DownloadAsync)
            .WithTags("Setup files")
            .WithSummary($"Downloads a generated file: {string.Join(", ", TenantArtifacts.Names)}. 409 says what the setup still lacks.");
        tenants.MapGet(OnboardingRoute, DownloadOnboardingTemplateAsync)
            .WithTags("Setup files")
            .WithSummary("Downloads the CloudFormation template (YAML) that creates the role the portal assumes in the customer's account. 409 unless the tenant uses AssumeRole.");
        return tenants;
    }

    /// <summary>GET /tenants/{tenantId}/artifacts/{name} and /onboarding-template: the download buttons of the tenant page, with the sign-in cookie.</summary>
    public static IEndpointRouteBuilder MapArtifactDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/tenants" + Route, DownloadAsync).RequireAuthorization().ExcludeFromDescription();
        app.MapGet("/tenants" + OnboardingRoute, DownloadOnboardingTemplateAsync).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> DownloadAsync(HttpContext http, CheckedTenant tenant, TenantArtifacts artifacts, string name, CancellationToken ct) =>
        ToResult(http, await artifacts.GetAsync(tenant, name, ct), name, () => TypedResults.Problem(statusCode: 404, title: "Not found",
            detail: $"There is no file '{name}'. The files are: {string.Join(", ", TenantArtifacts.Names)}."));

    private static async Task<IResult> DownloadOnboardingTemplateAsync(HttpContext http, CheckedTenant tenant, TenantOnboarding onboarding, CancellationToken ct) =>
        ToResult(http, await onboarding.GetTemplateAsync(tenant, ct), "The onboarding template", () => ApiResults.NotFound("tenant"));

    private static IResult ToResult(HttpContext http, ArtifactResult result, string what, Func<IResult> notFound)
    {
        switch (result)
        {
            case ArtifactResult.Found { Artifact: var file }:
                // Always an attachment: a generated page must never run on the portal's own origin.
                http.Response.Headers.CacheControl = "no-store";
                return Results.File(file.Content.ToArray(), file.ContentType, file.FileName);
            case ArtifactResult.NotReady notReady:
                return ApiResults.Conflict($"{what} cannot be generated yet: {notReady.Reason}");
            default:
                return notFound();
        }
    }
}
