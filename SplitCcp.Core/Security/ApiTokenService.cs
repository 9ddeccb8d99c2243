using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

public sealed record ApiTokenView(
    Guid Id, string Name, string Prefix, bool ReadOnly, DateTime CreatedAt, DateTime ExpiresAt, DateTime? LastUsedAt, DateTime? RevokedAt)
{
    /// <summary>Whether the token is refused as expired at <paramref name="now"/>.</summary>
    public bool IsExpiredAt(DateTime now) => ExpiresAt <= now;

    /// <summary>Whether a list should warn of it at <paramref name="now"/>: in use, and expiring within <see cref="ApiTokenService.ExpiryWarning"/>.</summary>
    public bool ExpiresSoonAt(DateTime now) => RevokedAt is null && !IsExpiredAt(now) && ExpiresAt - now <= ApiTokenService.ExpiryWarning;
}

/// <summary>A token to issue: a name that says where it is used, whether it may only read, and in how many days it expires (the default when null).</summary>
public sealed record ApiTokenRequest(string? Name, bool ReadOnly = false, int? ExpiresInDays = null);

/// <summary>A token as issued: <see cref="Token"/> is shown to its owner once and never stored.</summary>
public sealed record IssuedApiToken(string Token, ApiTokenView Details);

/// <summary>
/// What a presented token turned out to be: the <see cref="Principal"/> it stands for; or, for a token that was valid until
/// <see cref="ExpiredAt"/>, neither; or nothing at all when it is unknown, revoked, or its user is disabled.
/// </summary>
public sealed record ApiTokenCheck(ClaimsPrincipal? Principal, DateTime? ExpiredAt = null)
{
    public static ApiTokenCheck Refused { get; } = new(Principal: null);
}

/// <summary>
/// Issues, checks and revokes API tokens. Tokens are 256 random bits, so a plain SHA-256 is a safe lookup key. Each one
/// expires: <see cref="DefaultLifetimeDays"/> after it is issued unless its issuer chooses otherwise, never later than
/// <see cref="ApiTokenOptions.MaxTokenLifetime"/> allows. Issuing and revoking are recorded in the identity activity.
/// </summary>
public sealed class ApiTokenService(
    IDbContextFactory<SplitCcpDbContext> dbFactory, TimeProvider time, ApiTokenUseStamps useStamps, IdentityAudit audit, IOptions<ApiTokenOptions> options)
{
    public const string TokenPrefix = "sccp_";
    public const int NameMaxLength = 100;

    /// <summary>How long a token lives when its issuer does not say, unless the maximum is shorter.</summary>
    public const int DefaultLifetimeDays = 90;

    /// <summary>Lists warn of a token that expires within this time.</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(14);

    /// <summary>The most days a token may be given: <see cref="ApiTokenOptions.MaxTokenLifetime"/> in whole days.</summary>
    public int MaxLifetimeDays => (int)options.Value.MaxTokenLifetime.TotalDays;

    /// <summary>The days a token is given when its issuer does not say.</summary>
    public int DefaultDays => Math.Min(DefaultLifetimeDays, MaxLifetimeDays);

    public static string? ValidateName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "Give the token a name that says where it is used, for example grafana."
        : name.Trim().Length > NameMaxLength ? $"Use at most {NameMaxLength} characters."
        : DisplayText.HiddenCharacters(name);

    /// <summary>Null when a token may live <paramref name="days"/> days (or the default, when null); otherwise why not.</summary>
    public string? ValidateLifetime(int? days) =>
        days < 1 ? "A token lives at least 1 day."
        : days > MaxLifetimeDays ? $"A token lives at most {MaxLifetimeDays} days here: that is the longest this portal allows (SplitCcp:Security:MaxTokenLifetime)."
        : null;

    /// <summary>What is wrong with the request, per field as the API names them (<c>name</c>, <c>expiresInDays</c>); empty when nothing is.</summary>
    public IReadOnlyDictionary<string, string[]> Validate(ApiTokenRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (ValidateName(request.Name) is { } name)
        {
            errors["name"] = [name];
        }

        if (ValidateLifetime(request.ExpiresInDays) is { } lifetime)
        {
            errors["expiresInDays"] = [lifetime];
        }

        return errors;
    }

    /// <summary>Issues a token for <paramref name="userId"/>, recorded as issued by <paramref name="actor"/> (the user themselves, or an operator).</summary>
    /// <exception cref="ArgumentException">The request is not valid (see <see cref="Validate"/>); the parameter name is the field's.</exception>
    public async Task<IssuedApiToken> IssueAsync(IdentityActor actor, string userId, ApiTokenRequest request, CancellationToken ct = default)
    {
        if (Validate(request) is { Count: > 0 } errors)
        {
            var (field, messages) = errors.First();
            throw new ArgumentException(messages[0], field);
        }

        var token = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        return await StoreAsync(actor, userId, request.Name!.Trim(), request.ReadOnly, request.ExpiresInDays ?? DefaultDays, token, ct);
    }

    /// <summary>
    /// Registers a token chosen by the operator (the bootstrap token) with the default lifetime; does nothing if it is already
    /// registered, expired or not.
    /// </summary>
    internal async Task RegisterExactAsync(string userId, string name, string token, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hash = Hash(token);
        if (!await db.ApiTokens.AnyAsync(t => t.Hash == hash, ct))
        {
            await StoreAsync(Bootstrapper.Actor, userId, name, readOnly: false, DefaultDays, token, ct);
        }
    }

    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).ToListAsync(ct);
        return tokens.OrderByDescending(t => t.CreatedAt).Select(ToView).ToList();
    }

    /// <summary>Revokes one of the user's own tokens, recorded as done by <paramref name="actor"/>; false when the user has no such token, or it is revoked already.</summary>
    public async Task<bool> RevokeAsync(IdentityActor actor, string userId, Guid tokenId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        return await db.WriteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            if (await db.WriteAsync(inner => db.ApiTokens.Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), inner), token) == 0)
            {
                return false;
            }

            var revoked = await db.ApiTokens.Where(t => t.Id == tokenId).Select(t => new { t.Name, t.Prefix }).SingleAsync(token);
            await audit.AddAsync(db, IdentityEventKind.TokenRevoked, actor, userId, $"Revoked the API token “{revoked.Name}” ({revoked.Prefix}…).", token);
            await db.SaveChangesAsync(token);
            await transaction.CommitAsync(token);
            return true;
        }, ct);
    }

    /// <summary>What a presented token stands for; see <see cref="ApiTokenCheck"/>.</summary>
    public async Task<ApiTokenCheck> AuthenticateAsync(string presented, string authenticationType, CancellationToken ct = default)
    {
        if (!presented.StartsWith(TokenPrefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            return ApiTokenCheck.Refused;
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
            return ApiTokenCheck.Refused;
        }

        if (match.Token.ExpiresAt <= time.GetUtcNow().UtcDateTime)
        {
            return new ApiTokenCheck(null, match.Token.ExpiresAt);
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

        return new ApiTokenCheck(new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType)));
    }

    internal static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private async Task<IssuedApiToken> StoreAsync(IdentityActor actor, string userId, string name, bool readOnly, int days, string token, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var entity = new ApiToken
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Name = name,
            Hash = Hash(token),
            Prefix = token[..Math.Min(token.Length, TokenPrefix.Length + 4)],
            ReadOnly = readOnly,
            CreatedAt = now,
            ExpiresAt = now.AddDays(days),
        };
        db.ApiTokens.Add(entity);
        var expires = entity.ExpiresAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await audit.AddAsync(db, IdentityEventKind.TokenIssued, actor, userId,
            $"Issued the {(readOnly ? "read-only " : "")}API token “{name}” ({entity.Prefix}…), expiring {expires}.", ct);
        await db.SaveChangesAsync(ct);
        return new IssuedApiToken(token, ToView(entity));
    }

    private static ApiTokenView ToView(ApiToken t) => new(t.Id, t.Name, t.Prefix, t.ReadOnly, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
