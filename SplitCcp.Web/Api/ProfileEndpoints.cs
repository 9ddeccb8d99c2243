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
            TypedResults.Ok(await tokens.ListAsync(user.UserId(), ct))).WithSummary("Lists the caller's own API tokens (never the tokens themselves).");

        me.MapPost("/tokens", async (HttpContext http, ClaimsPrincipal user, ApiTokenService tokens, UserEndpoints.TokenRequest request, CancellationToken ct) =>
            {
                if (user.IsReadOnlyToken())
                {
                    return ApiResults.Forbidden("This API token is read-only.");
                }

                if (ApiTokenService.ValidateName(request.Name) is { } error)
                {
                    return ApiResults.ValidationFailed(new Dictionary<string, string[]> { ["name"] = [error] });
                }

                var issued = await tokens.IssueAsync(user.UserId(), request.Name!, request.ReadOnly, ct);
                return ApiResults.TokenIssued(http, $"/api/me/tokens/{issued.Details.Id}", issued);
            })
            .WithSummary("Issues an API token for the caller; the token is in this response only.")
            .ProducesValidationProblem();

        me.MapDelete("/tokens/{tokenId:guid}", async (ClaimsPrincipal user, ApiTokenService tokens, Guid tokenId, CancellationToken ct) =>
            {
                if (user.IsReadOnlyToken())
                {
                    return ApiResults.Forbidden("This API token is read-only.");
                }

                return await tokens.RevokeAsync(user.UserId(), tokenId, ct) ? Results.NoContent() : ApiResults.NotFound("token");
            })
            .WithSummary("Revokes one of the caller's tokens.");

        return me;
    }
}
