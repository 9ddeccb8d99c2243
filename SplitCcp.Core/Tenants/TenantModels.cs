namespace SplitCcp.Core.Tenants;

/// <summary>What an operator submits to create or change a tenant. Strings throughout, so that every bad value gets a field error instead of a parse failure.</summary>
public sealed record TenantInput
{
    public string? DisplayName { get; init; }

    public string? Slug { get; init; }

    public string? Region { get; init; }

    public string? AccessMode { get; init; }

    public string? RoleArn { get; init; }

    public string? ExternalId { get; init; }

    public string? AccessKeyId { get; init; }

    /// <summary>Write-only. Empty on an update keeps the stored secret.</summary>
    public string? SecretAccessKey { get; init; }

    public string? EndpointUrl { get; init; }

    /// <summary>The version the editor started from; required on update.</summary>
    public int? Version { get; init; }
}

/// <summary>A tenant as it may be shown: the secret is reduced to whether one is stored.</summary>
public sealed record TenantView(
    Guid Id,
    string DisplayName,
    string Slug,
    string Region,
    AwsAccessMode AccessMode,
    string? RoleArn,
    string? ExternalId,
    string? AccessKeyId,
    bool HasSecretAccessKey,
    string? EndpointUrl,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    int Version)
{
    internal static TenantView From(Tenant t) => new(
        t.Id, t.DisplayName, t.Slug, t.Region, t.AccessMode, t.RoleArn, t.ExternalId, t.AccessKeyId,
        !string.IsNullOrEmpty(t.ProtectedSecretAccessKey), t.EndpointUrl, t.CreatedAt, t.UpdatedAt, t.Version);
}

public sealed record TenantPage(IReadOnlyList<TenantView> Items, int Total, int Page, int PageSize);

public abstract record TenantSaveResult
{
    private TenantSaveResult()
    {
    }

    public sealed record Saved(TenantView Tenant) : TenantSaveResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : TenantSaveResult;

    public sealed record Conflict(string Message) : TenantSaveResult;

    public sealed record NotFound : TenantSaveResult;
}
