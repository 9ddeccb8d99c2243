using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Security;

/// <summary>
/// Where a request came from, for the identity activity: the connection's address, or the client's that a known proxy
/// forwarded (<see cref="ProxyOptions"/>), an IPv4 address mapped into IPv6 written as IPv4.
/// </summary>
internal static class RemoteAddress
{
    public static string? Of(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString() : null;

    /// <summary>
    /// Puts the request's address on every authenticated principal as <see cref="SplitCcpClaims.RemoteAddress"/>, so Core
    /// names it with whoever acts (<see cref="IdentityActor.Of"/>); a page's circuit keeps the address it was opened from.
    /// Added to each request, never to the sign-in cookie.
    /// </summary>
    internal sealed class Claims(IHttpContextAccessor http) : IClaimsTransformation
    {
        public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
        {
            if (principal.Identity is not ClaimsIdentity { IsAuthenticated: true } || http.HttpContext is not { } context || Of(context) is not { } address
                || principal.FindFirstValue(SplitCcpClaims.RemoteAddress) == address)
            {
                return Task.FromResult(principal);
            }

            var transformed = principal.Clone();
            var identity = (ClaimsIdentity)transformed.Identity!;
            foreach (var stale in identity.FindAll(SplitCcpClaims.RemoteAddress).ToList())
            {
                identity.RemoveClaim(stale);
            }

            identity.AddClaim(new Claim(SplitCcpClaims.RemoteAddress, address));
            return Task.FromResult(transformed);
        }
    }
}
