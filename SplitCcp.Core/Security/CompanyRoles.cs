namespace SplitCcp.Core.Security;

/// <summary>The role and tenant slugs a company sign-in's claim values give; no role: the values give none.</summary>
public sealed record CompanyRole(string? Role, IReadOnlySet<string> TenantSlugs)
{
    public static CompanyRole None { get; } = new(null, new HashSet<string>());
}

/// <summary>
/// Reads the role from the values of <see cref="OidcOptions.RoleClaim"/>: one role per user, the highest the values give.
/// An operator value makes an MSP operator; otherwise values matching <see cref="OidcOptions.TenantAdminPattern"/> make a
/// TenantAdmin of those tenants; otherwise a viewer value or values matching <see cref="OidcOptions.ViewerPattern"/> make a
/// Viewer of the tenants the pattern names. Values are compared without regard to case, as group names are at most providers.
/// </summary>
public static class CompanyRoles
{
    public static CompanyRole Map(OidcOptions options, IEnumerable<string> values)
    {
        var given = values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).ToList();
        if (given.Any(v => options.OperatorValues.Contains(v, StringComparer.OrdinalIgnoreCase)))
        {
            return new CompanyRole(Roles.MspOperator, new HashSet<string>());
        }

        var administered = Slugs(options.TenantAdminPattern, given);
        if (administered.Count > 0)
        {
            return new CompanyRole(Roles.TenantAdmin, administered);
        }

        var viewed = Slugs(options.ViewerPattern, given);
        return viewed.Count > 0 || given.Any(v => options.ViewerValues.Contains(v, StringComparer.OrdinalIgnoreCase))
            ? new CompanyRole(Roles.Viewer, viewed)
            : CompanyRole.None;
    }

    /// <summary>The slugs that values matching <paramref name="pattern"/> name, lower-cased as slugs are.</summary>
    private static HashSet<string> Slugs(string? pattern, IEnumerable<string> values)
    {
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return slugs;
        }

        var at = pattern.IndexOf(OidcOptions.TenantPlaceholder, StringComparison.Ordinal);
        var prefix = pattern[..at];
        var suffix = pattern[(at + OidcOptions.TenantPlaceholder.Length)..];
        foreach (var value in values)
        {
            if (value.Length > prefix.Length + suffix.Length
                && value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                slugs.Add(value[prefix.Length..^suffix.Length].ToLowerInvariant());
            }
        }

        return slugs;
    }
}
