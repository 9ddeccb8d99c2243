namespace SplitCcp.Core.Sandbox;

public enum SandboxFieldType
{
    Text,

    /// <summary>A JSON document kept as a string (a policy); the console refuses one that does not parse.</summary>
    Json,
    Boolean,
    WholeNumber,
}

/// <summary>
/// The fields of each <see cref="SandboxKinds"/> kind that the console may alter, with their types: the camelCase property
/// names of the stored JSON, as <see cref="SandboxKinds"/> documents them. A kind with no fields can only be deleted.
/// </summary>
public static class SandboxFields
{
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, SandboxFieldType>> ByKind { get; } =
        new Dictionary<string, IReadOnlyDictionary<string, SandboxFieldType>>(StringComparer.Ordinal)
        {
            [SandboxKinds.ConnectInstance] = Text("alias", "status", "identityManagementType"),
            [SandboxKinds.ConnectUser] = Text("firstName", "lastName"),
            [SandboxKinds.ConnectRoutingProfile] = Text(),
            [SandboxKinds.ConnectSecurityProfile] = Text(),
            [SandboxKinds.ConnectPhoneNumber] = Text("number", "countryCode", "type", "status", "targetArn"),
            [SandboxKinds.ConnectApprovedOrigin] = Text(),
            [SandboxKinds.IamSamlProvider] = Text("metadata"),
            [SandboxKinds.IamPolicy] = Of(("document", SandboxFieldType.Json)),
            [SandboxKinds.IamRole] = Of(("trustPolicy", SandboxFieldType.Json)),
            [SandboxKinds.IamRoleAttachment] = Text(),
            [SandboxKinds.IdentityCenterInstance] = Text("identityStoreId"),
            [SandboxKinds.IdentityCenterApplication] = Text("name", "status", "instanceArn", "metadataUrl"),
            [SandboxKinds.IdentityCenterAssignment] = Text("principalType"),
            [SandboxKinds.IdentityStorePrincipal] = Text("principalId"),
            [SandboxKinds.S3Bucket] = Of(
                ("objectOwnership", SandboxFieldType.Text), ("blockPublicAcls", SandboxFieldType.Boolean), ("ignorePublicAcls", SandboxFieldType.Boolean),
                ("blockPublicPolicy", SandboxFieldType.Boolean), ("restrictPublicBuckets", SandboxFieldType.Boolean)),
            [SandboxKinds.S3BucketPolicy] = Of(("policy", SandboxFieldType.Json)),
            [SandboxKinds.S3Object] = Text("contentType", "sha256"),
            [SandboxKinds.CloudFrontOriginAccessControl] = Text("name"),
            [SandboxKinds.CloudFrontDistribution] = Of(
                ("comment", SandboxFieldType.Text), ("domainName", SandboxFieldType.Text), ("status", SandboxFieldType.Text), ("enabled", SandboxFieldType.Boolean),
                ("originDomainName", SandboxFieldType.Text), ("originAccessControlId", SandboxFieldType.Text)),
            [SandboxKinds.AppStreamImageBuilder] = Text("state", "instanceType", "imageName"),
            [SandboxKinds.AppStreamImage] = Text("state"),
            [SandboxKinds.AppStreamFleet] = Of(
                ("state", SandboxFieldType.Text), ("fleetType", SandboxFieldType.Text), ("instanceType", SandboxFieldType.Text),
                ("imageName", SandboxFieldType.Text), ("desiredCapacity", SandboxFieldType.WholeNumber)),
            [SandboxKinds.AppStreamStack] = Text(),
            [SandboxKinds.AppStreamFleetAssociation] = Text(),
        };

    private static Dictionary<string, SandboxFieldType> Text(params string[] names) => names.ToDictionary(n => n, _ => SandboxFieldType.Text, StringComparer.Ordinal);

    private static Dictionary<string, SandboxFieldType> Of(params (string Name, SandboxFieldType Type)[] fields) =>
        fields.ToDictionary(f => f.Name, f => f.Type, StringComparer.Ordinal);
}
