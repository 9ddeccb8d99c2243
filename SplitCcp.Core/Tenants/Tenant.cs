namespace SplitCcp.Core.Tenants;

/// <summary>A customer of the installation: one AWS account reached in one of the <see cref="AwsAccessMode"/> ways.</summary>
public sealed class Tenant
{
    public Guid Id { get; set; }

    public string DisplayName { get; set; } = "";

    public string Slug { get; set; } = "";

    public string Region { get; set; } = "";

    public AwsAccessMode AccessMode { get; set; }

    public string? RoleArn { get; set; }

    public string? ExternalId { get; set; }

    public string? AccessKeyId { get; set; }

    /// <summary>The secret access key, encrypted with Data Protection. Never leaves Core in clear.</summary>
    public string? ProtectedSecretAccessKey { get; set; }

    public string? EndpointUrl { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>Concurrency token: bumped on every save so two editors cannot silently overwrite each other.</summary>
    public int Version { get; set; }
}

public enum AwsAccessMode
{
    Sandbox,
    AssumeRole,
    DefaultCredentials,
    AccessKeys,
}
