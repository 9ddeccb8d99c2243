using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

public sealed record ApiTokenView(Guid Id, string Name, string Prefix, bool ReadOnly, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt);

/// <summary>A token as issued: <see cref="Token"/> is shown to its owner once and never stored.</summary>
public sealed record IssuedApiToken(string Token, ApiTokenView Details);

/// <summary>Issues, checks and revokes API tokens. Tokens are 256 random bits, so a plain SHA-256 is a safe lookup key.</summary>
public sealed class ApiTokenService(IDbContextFactory<SplitCcpDbContext> dbFactory, TimeProvider time, ApiTokenUseStamps useStamps)
{
    public const string TokenPrefix = "sccp_";
    public const int NameMaxLength = 100;

    public static string? ValidateName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "Give the token a name that says where it is used, for example grafana."
        : name.Trim().Length > NameMaxLength ? $"Use at most {NameMaxLength} characters."
        : DisplayText.HiddenCharacters(name);

    public async Task<IssuedApiToken> IssueAsync(string userId, string name, bool readOnly, CancellationToken ct = default)
    {
        var token = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        return await StoreAsync(userId, name, readOnly, token, ct);
    }

    /// <summary>Registers a token chosen by the operator (the bootstrap token); does nothing if it is already registered.</summary>
    internal async Task RegisterExactAsync(string userId, string name, string token, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hash = Hash(token);
        if (!await db.ApiTokens.AnyAsync(t => t.Hash == hash, ct))
        {
            await StoreAsync(userId, name, readOnly: false, token, ct);
        }
    }

    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).ToListAsync(ct);
        return tokens.OrderByDescending(t => t.CreatedAt).Select(ToView).ToList();
    }

    /// <summary>Revokes one of the user's own tokens; false when the user has no such token.</summary>
    public async Task<bool> RevokeAsync(string userId, Guid tokenId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        return await db.WriteAsync(token => db.ApiTokens
            .Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), token), ct) > 0;
    }

    /// <summary>The principal a presented token stands for, or null when it is unknown, revoked, or its user is disabled.</summary>
    public async Task<ClaimsPrincipal?> AuthenticateAsync(string presented, string authenticationType, CancellationToken ct = default)
    {
        if (!presented.StartsWith(TokenPrefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            return null;
        }

        var hash = Hash(presented);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var match = await (from t in db.ApiTokens
                           join u in db.Users on t.UserId equals u.Id
                           where t.Hash == hash && t.RevokedAt == null
                           select new { Token = t, u.Id, u.Email, u.UserName, u.IsDisabled }).SingleOrDefaultAsync(ct);

        // Lock-out guards the password; it does not stop automation that holds a token.
        if (match is null || match.IsDisabled)
        {
            return null;
        }

        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ur.UserId == match.Id
                           select r.Name).ToListAsync(ct);

        useStamps.Record(match.Token.Id, match.Token.LastUsedAt);

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, match.Id),
            new(ClaimTypes.Name, match.Email ?? match.UserName ?? match.Id),
            new(SplitCcpClaims.TokenId, match.Token.Id.ToString()),
        };
        claims.AddRange(roles.Where(r => r is not null).Select(r => new Claim(ClaimTypes.Role, r!)));
        if (match.Token.ReadOnly)
        {
            claims.Add(new Claim(SplitCcpClaims.ReadOnly, "true"));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType));
    }

    internal static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private async Task<IssuedApiToken> StoreAsync(string userId, string name, bool readOnly, string token, CancellationToken ct)
    {
        if (ValidateName(name) is { } error)
        {
            throw new ArgumentException(error, nameof(name));
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entity = new ApiToken
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Name = name.Trim(),
            Hash = Hash(token),
            Prefix = token[..Math.Min(token.Length, TokenPrefix.Length + 4)],
            ReadOnly = readOnly,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.ApiTokens.Add(entity);
        await db.SaveChangesAsync(ct);
        return new IssuedApiToken(token, ToView(entity));
    }

    private static ApiTokenView ToView(ApiToken t) => new(t.Id, t.Name, t.Prefix, t.ReadOnly, t.CreatedAt, t.LastUsedAt, t.RevokedAt);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
