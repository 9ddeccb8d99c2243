using System.Security.Claims;
using SplitCcp.Core.Notifications;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Api;

/// <summary>
/// Notification endpoints and their delivery log, for MSP operators (every endpoint) and tenant admins (the endpoints of
/// their tenants), as on the Notifications page. An endpoint's signing secret is in the response that made it, once.
/// </summary>
internal static class NotificationEndpoints
{
    public static RouteGroupBuilder MapNotificationEndpoints(this RouteGroupBuilder api)
    {
        var notifications = api.MapGroup("/notifications").WithTags("Notifications")
            .RequireAuthorization(policy => policy.RequireRole(Roles.MspOperator, Roles.TenantAdmin))
            .AddEndpointFilter(ApiResults.ForbiddenOn<NotificationAccessDeniedException>);

        notifications.MapGet("/endpoints", async (ClaimsPrincipal user, NotificationService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ListAsync(user, ct)))
            .WithSummary("Lists the notification endpoints in the caller's scope (never their secrets).");

        notifications.MapPost("/endpoints", async (HttpContext http, ClaimsPrincipal user, NotificationService service, EndpointInput input, CancellationToken ct) =>
                ToResult(http, await service.CreateAsync(user, input, ct), created: true))
            .WithSummary("Creates an endpoint: its 'secret', which signs every delivery, is in this response only.")
            .Produces<SavedEndpoint>(StatusCodes.Status201Created)
            .ProducesValidationProblem();

        notifications.MapGet("/endpoints/{endpointId:guid}", async (ClaimsPrincipal user, NotificationService service, Guid endpointId, CancellationToken ct) =>
                await service.GetAsync(user, endpointId, ct) is { } found ? Results.Ok(found) : ApiResults.NotFound("notification endpoint"))
            .WithSummary("Reads one endpoint.")
            .Produces<EndpointView>();

        notifications.MapPut("/endpoints/{endpointId:guid}", async (HttpContext http, ClaimsPrincipal user, NotificationService service, Guid endpointId, EndpointInput input, CancellationToken ct) =>
                ToResult(http, await service.UpdateAsync(user, endpointId, input, ct), created: false))
            .WithSummary("Replaces an endpoint's settings. With 'rotateSecret': true it gets a new secret, in this response only.")
            .Produces<SavedEndpoint>()
            .ProducesValidationProblem();

        notifications.MapDelete("/endpoints/{endpointId:guid}", async (ClaimsPrincipal user, NotificationService service, Guid endpointId, CancellationToken ct) =>
                await service.DeleteAsync(user, endpointId, ct) ? Results.NoContent() : ApiResults.NotFound("notification endpoint"))
            .WithSummary("Deletes an endpoint with its delivery log; what it had still to send is not sent.");

        notifications.MapPost("/endpoints/{endpointId:guid}/test", async (ClaimsPrincipal user, NotificationService service, Guid endpointId, CancellationToken ct) =>
                await service.SendTestAsync(user, endpointId, ct) is { } delivery ? Results.Ok(delivery) : ApiResults.NotFound("notification endpoint"))
            .WithSummary("Sends a test notification to the endpoint now, once, and answers how it went.")
            .Produces<DeliveryView>();

        notifications.MapGet("/deliveries", async (ClaimsPrincipal user, NotificationService service, Guid? endpointId, int? take, CancellationToken ct) =>
                TypedResults.Ok(await service.ListDeliveriesAsync(user, endpointId, take ?? 50, ct)))
            .WithSummary("The delivery log of the caller's endpoints (or of one, with endpointId), newest first: 50 by default, at most 200.");

        return notifications;
    }

    private static IResult ToResult(HttpContext http, EndpointSaveResult result, bool created)
    {
        switch (result)
        {
            case EndpointSaveResult.Saved { Result: var saved }:
                if (saved.Secret is not null)
                {
                    // The one response that holds the secret: no cache or proxy may keep a copy.
                    http.Response.Headers.CacheControl = "no-store";
                }

                return created ? Results.Created($"/api/notifications/endpoints/{saved.Endpoint.Id}", saved) : Results.Ok(saved);
            case EndpointSaveResult.Invalid { Errors: var errors }:
                return ApiResults.ValidationFailed(errors);
            case EndpointSaveResult.NotFound:
                return ApiResults.NotFound("notification endpoint");
            default:
                throw new InvalidOperationException($"Unhandled result {result.GetType().Name}.");
        }
    }
}
