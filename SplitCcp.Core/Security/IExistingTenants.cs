namespace SplitCcp.Core.Security;

/// <summary>
/// Which tenants exist, for the access check and for assigning users. Security keeps only tenants' IDs; the tenants' own
/// store, a layer above it, answers.
/// </summary>
public interface IExistingTenants
{
    /// <summary>Those of <paramref name="tenantIds"/> that name a tenant.</summary>
    Task<IReadOnlySet<Guid>> WhichExistAsync(IReadOnlyCollection<Guid> tenantIds, CancellationToken ct);

    /// <summary>The display names of those of <paramref name="tenantIds"/> that name a tenant, for what the identity activity says.</summary>
    Task<IReadOnlyDictionary<Guid, string>> NamesAsync(IReadOnlyCollection<Guid> tenantIds, CancellationToken ct);

    /// <summary>The IDs of the tenants that have one of <paramref name="slugs"/>, for a company sign-in whose groups name tenants.</summary>
    Task<IReadOnlyList<Guid>> IdsBySlugAsync(IReadOnlyCollection<string> slugs, CancellationToken ct);
}
