using System.Security.Claims;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Api;

internal static class ApiResults
{
    public static IResult ValidationFailed(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "Some values are not valid.", detail: "Correct the fields listed in 'errors' and send the request again.");

    public static IResult NotFound(string what) =>
        TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"There is no {what} with this id, or it is outside your scope.");

    public static IResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: detail);

    /// <summary>
    /// An endpoint filter that answers 403 with the message of the <typeparamref name="TDenied"/> an endpoint throws: the
    /// services check the caller's current role in the database, which a claim may no longer match.
    /// </summary>
    public static async ValueTask<object?> ForbiddenOn<TDenied>(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        where TDenied : Exception
    {
        try
        {
            return await next(context);
        }
        catch (TDenied ex)
        {
            return Forbidden(ex.Message);
        }
    }

    public static IResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: 409, title: "Conflict", detail: detail);

    /// <summary>201 with a newly issued token, the one response that holds it: no cache or proxy may keep a copy.</summary>
    public static IResult TokenIssued(HttpContext http, string location, IssuedApiToken issued)
    {
        http.Response.Headers.CacheControl = "no-store";
        return Results.Created(location, issued);
    }

    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("An authenticated caller has no user id.");

    public static bool IsReadOnlyToken(this ClaimsPrincipal user) => user.HasClaim(SplitCcpClaims.ReadOnly, "true");
}
