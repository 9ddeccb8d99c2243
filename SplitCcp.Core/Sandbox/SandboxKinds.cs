namespace SplitCcp.Core.Sandbox;

/// <summary>
/// The kinds of object a Sandbox account holds, and how each is identified. <see cref="SandboxResourceObjects"/> finds a
/// resource's object by (kind, id), so "simulate a console change" can delete it or alter one of its fields (the field names
/// are the camelCase properties of the stored JSON, which are also the field names the plan's diffs show).
/// </summary>
public static class SandboxKinds
{
    /// <summary>Id: instance ID. Fields: alias, status, identityManagementType.</summary>
    public const string ConnectInstance = "connect.instance";

    /// <summary>Id: "{instanceId}/{username}". Fields: firstName, lastName.</summary>
    public const string ConnectUser = "connect.user";

    /// <summary>Id: "{instanceId}/{name}". Seeded per instance: "Basic Routing Profile".</summary>
    public const string ConnectRoutingProfile = "connect.routing-profile";

    /// <summary>Id: "{instanceId}/{name}". Seeded per instance: Admin, Agent, CallCenterManager, QualityAnalyst.</summary>
    public const string ConnectSecurityProfile = "connect.security-profile";

    /// <summary>Id: phone number ID. Fields: number, countryCode, type, status, targetArn.</summary>
    public const string ConnectPhoneNumber = "connect.phone-number";

    /// <summary>Id: "{instanceId}|{origin}". No fields.</summary>
    public const string ConnectApprovedOrigin = "connect.approved-origin";

    /// <summary>Id: provider ARN. Fields: metadata.</summary>
    public const string IamSamlProvider = "iam.saml-provider";

    /// <summary>Id: policy ARN. Fields: document (altering it adds a new default version, as the console does).</summary>
    public const string IamPolicy = "iam.policy";

    /// <summary>Id: role name. Fields: trustPolicy.</summary>
    public const string IamRole = "iam.role";

    /// <summary>Id: "{roleName}|{policyArn}". No fields.</summary>
    public const string IamRoleAttachment = "iam.role-attachment";

    /// <summary>Id: instance ARN. Fields: identityStoreId. Seeded: one per account.</summary>
    public const string IdentityCenterInstance = "sso.instance";

    /// <summary>Id: application ARN. Fields: name, status (ENABLED / DISABLED), instanceArn, metadataUrl.</summary>
    public const string IdentityCenterApplication = "sso.application";

    /// <summary>Id: "{applicationArn}|{principalId}". Fields: principalType.</summary>
    public const string IdentityCenterAssignment = "sso.assignment";

    /// <summary>Id: "{identityStoreId}/{userName}" for users, "{identityStoreId}/group/{displayName}" for groups. Fields: principalId.</summary>
    public const string IdentityStorePrincipal = "identitystore.principal";

    /// <summary>Id: bucket name. Fields: objectOwnership, blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets.</summary>
    public const string S3Bucket = "s3.bucket";

    /// <summary>Id: bucket name. Fields: policy.</summary>
    public const string S3BucketPolicy = "s3.bucket-policy";

    /// <summary>Id: "{bucket}/{key}". Fields: contentType, sha256.</summary>
    public const string S3Object = "s3.object";

    /// <summary>Id: OAC ID. Fields: name.</summary>
    public const string CloudFrontOriginAccessControl = "cloudfront.oac";

    /// <summary>Id: distribution ID. Fields: comment, domainName, status, enabled, originDomainName, originAccessControlId.</summary>
    public const string CloudFrontDistribution = "cloudfront.distribution";

    /// <summary>Id: builder name. Fields: state, instanceType, imageName.</summary>
    public const string AppStreamImageBuilder = "appstream.image-builder";

    /// <summary>Id: image name. Fields: state. Seeded: AWS's base images (AppStream-WinServer2022-06-17-2025 and others).</summary>
    public const string AppStreamImage = "appstream.image";

    /// <summary>Id: fleet name. Fields: state, fleetType, instanceType, imageName, desiredCapacity.</summary>
    public const string AppStreamFleet = "appstream.fleet";

    /// <summary>Id: stack name. No fields.</summary>
    public const string AppStreamStack = "appstream.stack";

    /// <summary>Id: "{stackName}|{fleetName}". No fields.</summary>
    public const string AppStreamFleetAssociation = "appstream.fleet-association";
}
