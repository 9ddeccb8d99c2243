namespace SplitCcp.Core.Security;

public static class Roles
{
    /// <summary>Sees and manages every tenant, and manages users.</summary>
    public const string MspOperator = nameof(MspOperator);

    /// <summary>Reads and writes the tenants assigned to them.</summary>
    public const string TenantAdmin = nameof(TenantAdmin);

    /// <summary>Reads the tenants assigned to them.</summary>
    public const string Viewer = nameof(Viewer);

    public static IReadOnlyList<string> All { get; } = [MspOperator, TenantAdmin, Viewer];

    /// <summary>The role as the portal names it to people; the API and the database keep the identifiers.</summary>
    public static string Label(string role) => role switch
    {
        MspOperator => "MSP operator",
        TenantAdmin => "Tenant admin",
        Viewer => "Viewer",
        _ => role,
    };

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}

public static class SplitCcpClaims
{
    /// <summary>Present with value "true" when the caller authenticated with a read-only API token.</summary>
    public const string ReadOnly = "splitccp:read_only";

    /// <summary>The id of the API token the caller authenticated with.</summary>
    public const string TokenId = "splitccp:token_id";

    /// <summary>The address the caller's request came from, added by the web app to each request's principal; never stored in a cookie.</summary>
    public const string RemoteAddress = "splitccp:remote_address";
}
