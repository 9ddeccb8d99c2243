namespace SplitCcp.Core.Sandbox;

/// <summary>
/// One object of a Sandbox tenant's simulated AWS account (an instance, a role, a bucket, a fleet…), stored as JSON so the
/// simulation survives restarts. <see cref="Kind"/> names the AWS type (see <see cref="SandboxKinds"/>), <see cref="Id"/> its
/// identifier within the account.
/// </summary>
public sealed class SandboxObject
{
    public Guid TenantId { get; set; }

    public string Kind { get; set; } = "";

    public string Id { get; set; } = "";

    public string Json { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
