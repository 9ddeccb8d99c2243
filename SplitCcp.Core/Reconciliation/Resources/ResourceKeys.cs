namespace SplitCcp.Core.Reconciliation.Resources;

/// <summary>The stable keys of resources in a plan; the API names resources by them.</summary>
public static class ResourceKeys
{
    public const string Account = "account";
    public const string ConnectInstance = "connect/instance";
    public const string ConnectUserPrefix = "connect/user/";
    public const string ConnectPhoneNumber = "connect/phone-number";
    public const string ConnectApprovedOrigin = "connect/approved-origin";
    public const string IdentityCenterApplication = "identity-center/application";
    public const string IdentityCenterAssignments = "identity-center/assignments";
    public const string SamlProvider = "iam/saml-provider";
    public const string FederationPolicy = "iam/federation-policy";
    public const string FederationRole = "iam/federation-role";
    public const string FederationRolePolicy = "iam/federation-role/policy-attachment";
    public const string Bucket = "hosting/bucket";
    public const string OriginAccessControl = "hosting/origin-access-control";
    public const string Distribution = "hosting/distribution";
    public const string BucketPolicy = "hosting/bucket-policy";
    public const string ObjectPrefix = "hosting/object/";
    public const string ImageBuilder = "appstream/image-builder";
    public const string Image = "appstream/image";
    public const string Fleet = "appstream/fleet";
    public const string Stack = "appstream/stack";
    public const string StackFleet = "appstream/stack/fleet-association";

    public static string ConnectUser(string email) => ConnectUserPrefix + email.ToLowerInvariant();

    public static string CcpObject(string name) => ObjectPrefix + name;
}
