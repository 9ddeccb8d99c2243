using SplitCcp.Core.Security;
using SplitCcp.Web.Security;

namespace SplitCcp.Web.Api;

/// <summary>
/// The pages' "Download CSV" buttons: each list route's CSV under <c>/export</c>, with the sign-in cookie (the API takes
/// tokens only), by the same handler as the API route, so with the same authorization and scope.
/// </summary>
internal static class CsvDownloads
{
    private const string TenantRoute = $"/tenants/{{{TenantRouteGuard.RouteParameter}:guid}}";

    public static IEndpointRouteBuilder MapCsvDownloads(this IEndpointRouteBuilder app)
    {
        var export = app.MapGroup("/export").RequireAuthorization().WithMetadata(Csv.Download).ExcludeFromDescription();
        export.MapGet("/health/tenants", HealthEndpoints.TenantsAsync);
        export.MapGet($"{TenantRoute}/health/history", HealthEndpoints.HistoryAsync);
        export.MapGet($"{TenantRoute}/audit", ReconciliationEndpoints.AuditAsync);
        export.MapGet("/activity", ActivityEndpoints.ListAsync).RequireAuthorization(Roles.MspOperator);
        return app;
    }
}
