using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Identity;
using SplitCcp.Core.Security;
using SplitCcp.Web.Api;
using SplitCcp.Web.Components;
using SplitCcp.Web.Metrics;
using SplitCcp.Web.Security;

namespace SplitCcp.Web.Extensions;

internal static class WebApplicationExtensions
{
    public static WebApplication MapSplitCcp(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMetricsPort();
        app.UseWhen(IsApi, api => api.UseExceptionHandler());
        app.UseWhen(context => !IsApi(context), pages => pages.UseExceptionHandler("/error", createScopeForErrors: true));

        // Re-executing keeps the method, and a re-executed POST would fail antiforgery on the status page: GETs only.
        app.UseWhen(context => !IsApi(context) && HttpMethods.IsGet(context.Request.Method), pages => pages.UseStatusCodePagesWithReExecute("/status/{0}"));

        app.UseRouting();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<TenantRouteGuard>();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.MapMetrics();

        var api = app.MapGroup("/api").RequireAuthorization().WithMetadata(RequestBodyLimit.Api);
        api.MapTenantEndpoints();
        api.MapDemoTenantEndpoints();
        api.MapHealthEndpoints();
        api.MapUserEndpoints();
        api.MapProfileEndpoints();
        app.MapArtifactDownloads();

        app.MapPost("/account/logout", async (HttpContext context, SignInManager<AppUser> signIn) =>
            {
                // The middleware only records the antiforgery result; an endpoint that binds no form must read it.
                if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
                {
                    return Results.BadRequest();
                }

                await signIn.SignOutAsync();
                return Results.LocalRedirect("~/account/login");
            })
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .RequireAuthorization()
            .ExcludeFromDescription();

        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");
}
