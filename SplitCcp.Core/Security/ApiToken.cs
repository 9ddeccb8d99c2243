namespace SplitCcp.Core.Security;

/// <summary>A bearer token for /api. Only the SHA-256 of the token is stored; the token itself is shown once.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }

    public string UserId { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>Hex SHA-256 of the whole token.</summary>
    public string Hash { get; set; } = "";

    /// <summary>The first characters of the token, to recognise it in a list.</summary>
    public string Prefix { get; set; } = "";

    public bool ReadOnly { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>From this moment on the token is refused as expired. Tokens issued before tokens expired were given 90 days from the upgrade.</summary>
    public DateTime ExpiresAt { get; set; }

    public DateTime? LastUsedAt { get; set; }

    public DateTime? RevokedAt { get; set; }
}
