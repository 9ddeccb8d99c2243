using System.Security.Claims;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Api;

internal static class UserEndpoints
{
    public static RouteGroupBuilder MapUserEndpoints(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization(policy => policy.RequireRole(Roles.MspOperator))
            .AddEndpointFilter(ApiResults.ForbiddenOn<UserManagementDeniedException>);

        users.MapGet("/", async (ClaimsPrincipal user, UserDirectory directory, CancellationToken ct) =>
                TypedResults.Ok(await directory.ListAsync(user, ct)))
            .WithSummary("Lists every user with role and tenants (MSP operators).");

        users.MapPost("/", async (ClaimsPrincipal user, UserDirectory directory, UserInput input, CancellationToken ct) =>
                Guard(user) ?? ToResult(await directory.CreateAsync(user, input, ct), created: true))
            .WithSummary("Creates a user with a role and, for TenantAdmin and Viewer, the tenants they may see.")
            .ProducesValidationProblem();

        users.MapGet("/{id}", async (ClaimsPrincipal user, UserDirectory directory, string id, CancellationToken ct) =>
                await directory.GetAsync(user, id, ct) is { } found ? Results.Ok(found) : ApiResults.NotFound("user"));

        users.MapPut("/{id}", async (ClaimsPrincipal user, UserDirectory directory, string id, UserInput input, CancellationToken ct) =>
                Guard(user) ?? ToResult(await directory.UpdateAsync(user, id, input, ct), created: false))
            .WithSummary("Changes a user's e-mail, name, role, tenants or disabled flag.")
            .ProducesValidationProblem();

        users.MapPost("/{id}/tokens", async (HttpContext http, ClaimsPrincipal user, UserDirectory directory, ApiTokenService tokens, string id, ApiTokenRequest request, CancellationToken ct) =>
            {
                if (Guard(user) is { } refused)
                {
                    return refused;
                }

                if (await directory.GetAsync(user, id, ct) is null)
                {
                    return ApiResults.NotFound("user");
                }

                if (tokens.Validate(request) is { Count: > 0 } errors)
                {
                    return ApiResults.ValidationFailed(errors);
                }

                var issued = await tokens.IssueAsync(IdentityActor.Of(user), id, request, ct);
                return ApiResults.TokenIssued(http, $"/api/users/{id}/tokens/{issued.Details.Id}", issued);
            })
            .WithSummary("Issues an API token for a user, recorded with who issued it. The token is in the response once and is never shown again. It expires after 'expiresInDays' (90 by default, at most the portal's maximum).")
            .ProducesValidationProblem();

        return users;
    }

    private static IResult? Guard(ClaimsPrincipal user) =>
        user.IsReadOnlyToken() ? ApiResults.Forbidden("This API token is read-only.") : null;

    private static IResult ToResult(UserSaveResult result, bool created) => result switch
    {
        UserSaveResult.Saved { User: var u } when created => Results.Created($"/api/users/{u.Id}", u),
        UserSaveResult.Saved { User: var u } => Results.Ok(u),
        UserSaveResult.Invalid { Errors: var errors } => ApiResults.ValidationFailed(errors),
        UserSaveResult.NotFound => ApiResults.NotFound("user"),
        _ => throw new InvalidOperationException($"Unhandled result {result.GetType().Name}."),
    };
}
