using System.Security.Claims;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Api;

internal static class ProfileEndpoints
{
    public static RouteGroupBuilder MapProfileEndpoints(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/me").WithTags("Profile");

        me.MapGet("/", (ClaimsPrincipal user) => TypedResults.Ok(new
        {
            id = user.UserId(),
            name = user.Identity?.Name,
            roles = user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToArray(),
            readOnly = user.IsReadOnlyToken(),
        })).WithSummary("Who the token belongs to.");

        me.MapGet("/tokens", async (ClaimsPrincipal user, ApiTokenService tokens, CancellationToken ct) =>
            TypedResults.Ok(await tokens.ListAsync(user.UserId(), ct))).WithSummary("Lists the caller's own API tokens with when each expires (never the tokens themselves).");

        me.MapPost("/tokens", async (HttpContext http, ClaimsPrincipal user, ApiTokenService tokens, ApiTokenRequest request, CancellationToken ct) =>
            {
                if (user.IsReadOnlyToken())
                {
                    return ApiResults.Forbidden("This API token is read-only.");
                }

                if (tokens.Validate(request) is { Count: > 0 } errors)
                {
                    return ApiResults.ValidationFailed(errors);
                }

                var issued = await tokens.IssueAsync(IdentityActor.Of(user), user.UserId(), request, ct);
                return ApiResults.TokenIssued(http, $"/api/me/tokens/{issued.Details.Id}", issued);
            })
            .WithSummary("Issues an API token for the caller; the token is in this response only. It expires after 'expiresInDays' (90 by default, at most the portal's maximum).")
            .ProducesValidationProblem();

        me.MapDelete("/tokens/{tokenId:guid}", async (ClaimsPrincipal user, ApiTokenService tokens, Guid tokenId, CancellationToken ct) =>
            {
                if (user.IsReadOnlyToken())
                {
                    return ApiResults.Forbidden("This API token is read-only.");
                }

                return await tokens.RevokeAsync(IdentityActor.Of(user), user.UserId(), tokenId, ct) ? Results.NoContent() : ApiResults.NotFound("token");
            })
            .WithSummary("Revokes one of the caller's tokens.");

        return me;
    }
}
