using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Api;

internal static class UserEndpoints
{
    /// <summary>A password link as the API answers it: <c>link</c> only when it was not mailed, absolute, and in this response only.</summary>
    public sealed record PasswordLinkView(PasswordLinkKind Kind, string Email, bool Mailed, string? Link, DateTimeOffset ExpiresAt, string? MailError);

    public static RouteGroupBuilder MapUserEndpoints(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization(policy => policy.RequireRole(Roles.MspOperator))
            .AddEndpointFilter(ApiResults.ForbiddenOn<UserManagementDeniedException>);

        users.MapGet("/", async (ClaimsPrincipal user, UserDirectory directory, CancellationToken ct) =>
                TypedResults.Ok(await directory.ListAsync(user, ct)))
            .WithSummary("Lists every user with role and tenants (MSP operators).");

        users.MapPost("/", async (HttpContext http, ClaimsPrincipal user, UserDirectory directory, IOptions<JsonOptions> json, UserInput input, CancellationToken ct) =>
            {
                if (Guard(user) is { } refused)
                {
                    return refused;
                }

                var result = await directory.CreateAsync(user, input, ct);
                if (result is not UserSaveResult.Saved { Invitation: { } invitation, User: var created })
                {
                    return ToResult(result, created: true);
                }

                // The user's fields as for any user, and the invitation beside them.
                var body = JsonSerializer.SerializeToNode(created, json.Value.SerializerOptions)!.AsObject();
                body["invitation"] = JsonSerializer.SerializeToNode(View(http, invitation), json.Value.SerializerOptions);
                http.Response.Headers.CacheControl = "no-store";
                return Results.Created($"/api/users/{created.Id}", body);
            })
            .WithSummary("Creates a user with a role and, for TenantAdmin and Viewer, the tenants they may see. Without a password the user is " +
                "invited: the invitation is mailed, or, when the portal sends no mail, its one-time link is in 'invitation.link' of this response only.")
            .ProducesValidationProblem();

        users.MapGet("/{id}", async (ClaimsPrincipal user, UserDirectory directory, string id, CancellationToken ct) =>
                await directory.GetAsync(user, id, ct) is { } found ? Results.Ok(found) : ApiResults.NotFound("user"));

        users.MapPut("/{id}", async (ClaimsPrincipal user, UserDirectory directory, string id, UserInput input, CancellationToken ct) =>
                Guard(user) ?? ToResult(await directory.UpdateAsync(user, id, input, ct), created: false))
            .WithSummary("Changes a user's e-mail, name, role, tenants or disabled flag.")
            .ProducesValidationProblem();

        users.MapPost("/{id}/password-link", async (HttpContext http, ClaimsPrincipal user, UserDirectory directory, string id, CancellationToken ct) =>
            {
                if (Guard(user) is { } refused)
                {
                    return refused;
                }

                if (await directory.SendPasswordLinkAsync(user, id, ct) is not { } link)
                {
                    return ApiResults.NotFound("user");
                }

                http.Response.Headers.CacheControl = "no-store";
                return Results.Ok(View(http, link));
            })
            .WithSummary("Sends the user a one-time link that sets their password: their invitation again while they have no password (the earlier " +
                "link stops working), otherwise a password reset. Mailed, or, when the portal sends no mail, in 'link' of this response only.");

        users.MapDelete("/{id}/mfa", async (ClaimsPrincipal user, UserDirectory directory, string id, CancellationToken ct) =>
                Guard(user) ?? (await directory.ResetMfaAsync(user, id, ct) ? Results.NoContent() : ApiResults.NotFound("user")))
            .WithSummary("Turns a user's MFA off, for one who lost their authenticator app and recovery codes: their key and codes are forgotten " +
                "and their sessions end; they sign in with the password alone, or enrol again where MFA is required.");

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

    /// <summary>The link made absolute on the address this request came to, which is the operator's own: it is handed to them, never mailed.</summary>
    private static PasswordLinkView View(HttpContext http, PasswordLink link) => new(
        link.Kind, link.Email, link.Mailed,
        link.Link is { } path ? $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/{path}" : null,
        link.ExpiresAt, link.MailError);

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
