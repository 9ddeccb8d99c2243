using System.Security.Claims;

namespace SplitCcp.Core.Security;

/// <summary>Who does something to an account, and from which address, as the identity activity records them.</summary>
/// <param name="UserId">The acting user; null for the portal itself or someone not signed in.</param>
/// <param name="Name">As <see cref="AuditLog.ActorOf"/> names a user, or what stands for the portal (such as "first-run setup").</param>
/// <param name="RemoteAddress">Where the request came from; null when no request made it.</param>
public sealed record IdentityActor(string? UserId, string Name, string? RemoteAddress)
{
    /// <summary>
    /// The caller: their ID, their name as the audit gives it, and the address the web app put on the principal
    /// (<see cref="SplitCcpClaims.RemoteAddress"/>) for the request or page it came in on.
    /// </summary>
    public static IdentityActor Of(ClaimsPrincipal user) =>
        new(user.FindFirstValue(ClaimTypes.NameIdentifier), AuditLog.ActorOf(user), user.FindFirstValue(SplitCcpClaims.RemoteAddress));

    /// <summary>The portal acting on its own, such as the bootstrap settings at start-up.</summary>
    public static IdentityActor Portal(string name) => new(null, name, null);
}
