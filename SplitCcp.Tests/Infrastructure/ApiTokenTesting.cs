using SplitCcp.Core.Security;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>Tokens as tests set them up: each user issues their own, with the default lifetime.</summary>
internal static class ApiTokenTesting
{
    public static Task<IssuedApiToken> IssueAsync(this ApiTokenService tokens, string userId, string name, bool readOnly) =>
        tokens.IssueAsync(new IdentityActor(userId, "tests", null), userId, new ApiTokenRequest(name, readOnly));

    public static Task<bool> RevokeAsync(this ApiTokenService tokens, string userId, Guid tokenId) =>
        tokens.RevokeAsync(new IdentityActor(userId, "tests", null), userId, tokenId);
}
