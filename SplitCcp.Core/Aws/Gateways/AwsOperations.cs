namespace SplitCcp.Core.Aws.Gateways;

// Every AWS operation the portal can call, per service, with the IAM actions it needs. Gateways (real and simulated) pass
// these to IAwsCaller and never build an AwsOperation of their own; the onboarding template's policy is generated from
// these lists, and a test holds the two equal.

public static class ConnectOperations
{
    public static readonly AwsOperation ListInstances = new(AwsServices.Connect, "ListInstances", ["connect:ListInstances", "ds:DescribeDirectories"]);
    public static readonly AwsOperation DescribeInstance = new(AwsServices.Connect, "DescribeInstance", ["connect:DescribeInstance", "ds:DescribeDirectories"]);

    /// <summary>CreateInstance also needs the directory and service-linked-role actions AWS lists for it.</summary>
    public static readonly AwsOperation CreateInstance = new(AwsServices.Connect, "CreateInstance",
    [
        "connect:CreateInstance", "ds:CheckAlias", "ds:CreateAlias", "ds:CreateIdentityPoolDirectory", "ds:AuthorizeApplication",
        "ds:UnauthorizeApplication", "ds:DescribeDirectories", "ds:DeleteDirectory", "iam:CreateServiceLinkedRole",
    ]);

    public static readonly AwsOperation ListUsers = new(AwsServices.Connect, "ListUsers");
    public static readonly AwsOperation DescribeUser = new(AwsServices.Connect, "DescribeUser");
    public static readonly AwsOperation ListRoutingProfiles = new(AwsServices.Connect, "ListRoutingProfiles");
    public static readonly AwsOperation ListSecurityProfiles = new(AwsServices.Connect, "ListSecurityProfiles");
    public static readonly AwsOperation CreateUser = new(AwsServices.Connect, "CreateUser");
    public static readonly AwsOperation UpdateUserIdentityInfo = new(AwsServices.Connect, "UpdateUserIdentityInfo");
    public static readonly AwsOperation ListPhoneNumbersV2 = new(AwsServices.Connect, "ListPhoneNumbersV2");
    public static readonly AwsOperation SearchAvailablePhoneNumbers = new(AwsServices.Connect, "SearchAvailablePhoneNumbers");
    public static readonly AwsOperation ClaimPhoneNumber = new(AwsServices.Connect, "ClaimPhoneNumber");
    public static readonly AwsOperation DescribePhoneNumber = new(AwsServices.Connect, "DescribePhoneNumber");
    public static readonly AwsOperation ListApprovedOrigins = new(AwsServices.Connect, "ListApprovedOrigins");
    public static readonly AwsOperation AssociateApprovedOrigin = new(AwsServices.Connect, "AssociateApprovedOrigin");
}

public static class IamOperations
{
    public static readonly AwsOperation GetSamlProvider = new(AwsServices.Iam, "GetSAMLProvider");
    public static readonly AwsOperation CreateSamlProvider = new(AwsServices.Iam, "CreateSAMLProvider");
    public static readonly AwsOperation UpdateSamlProvider = new(AwsServices.Iam, "UpdateSAMLProvider");
    public static readonly AwsOperation GetPolicy = new(AwsServices.Iam, "GetPolicy");
    public static readonly AwsOperation GetPolicyVersion = new(AwsServices.Iam, "GetPolicyVersion");
    public static readonly AwsOperation ListPolicyVersions = new(AwsServices.Iam, "ListPolicyVersions");
    public static readonly AwsOperation CreatePolicy = new(AwsServices.Iam, "CreatePolicy");
    public static readonly AwsOperation CreatePolicyVersion = new(AwsServices.Iam, "CreatePolicyVersion");
    public static readonly AwsOperation DeletePolicyVersion = new(AwsServices.Iam, "DeletePolicyVersion");
    public static readonly AwsOperation GetRole = new(AwsServices.Iam, "GetRole");
    public static readonly AwsOperation CreateRole = new(AwsServices.Iam, "CreateRole");
    public static readonly AwsOperation UpdateAssumeRolePolicy = new(AwsServices.Iam, "UpdateAssumeRolePolicy");
    public static readonly AwsOperation ListAttachedRolePolicies = new(AwsServices.Iam, "ListAttachedRolePolicies");
    public static readonly AwsOperation AttachRolePolicy = new(AwsServices.Iam, "AttachRolePolicy");
}

public static class IdentityCenterOperations
{
    public static readonly AwsOperation ListInstances = new(AwsServices.IdentityCenter, "ListInstances");
    public static readonly AwsOperation DescribeApplication = new(AwsServices.IdentityCenter, "DescribeApplication");
    public static readonly AwsOperation ListApplicationAssignments = new(AwsServices.IdentityCenter, "ListApplicationAssignments");
    public static readonly AwsOperation CreateApplicationAssignment = new(AwsServices.IdentityCenter, "CreateApplicationAssignment");
    public static readonly AwsOperation GetUserId = new(AwsServices.IdentityStore, "GetUserId");
    public static readonly AwsOperation GetGroupId = new(AwsServices.IdentityStore, "GetGroupId");
    public static readonly AwsOperation IsMemberInGroups = new(AwsServices.IdentityStore, "IsMemberInGroups");

    /// <summary>The metadata URL is public: an HTTPS GET that needs no IAM action.</summary>
    public static readonly AwsOperation GetSamlMetadata = new(AwsServices.IdentityCenter, "GetSamlMetadata", []);
}

public static class S3Operations
{
    public static readonly AwsOperation HeadBucket = new(AwsServices.S3, "HeadBucket", ["s3:ListBucket"]);
    public static readonly AwsOperation CreateBucket = new(AwsServices.S3, "CreateBucket");
    public static readonly AwsOperation GetBucketOwnershipControls = new(AwsServices.S3, "GetBucketOwnershipControls");
    public static readonly AwsOperation PutBucketOwnershipControls = new(AwsServices.S3, "PutBucketOwnershipControls");
    public static readonly AwsOperation GetPublicAccessBlock = new(AwsServices.S3, "GetPublicAccessBlock", ["s3:GetBucketPublicAccessBlock"]);
    public static readonly AwsOperation PutPublicAccessBlock = new(AwsServices.S3, "PutPublicAccessBlock", ["s3:PutBucketPublicAccessBlock"]);
    public static readonly AwsOperation GetBucketPolicy = new(AwsServices.S3, "GetBucketPolicy");
    public static readonly AwsOperation PutBucketPolicy = new(AwsServices.S3, "PutBucketPolicy");
    public static readonly AwsOperation HeadObject = new(AwsServices.S3, "HeadObject", ["s3:GetObject"]);
    public static readonly AwsOperation PutObject = new(AwsServices.S3, "PutObject");
}

public static class CloudFrontOperations
{
    public static readonly AwsOperation ListOriginAccessControls = new(AwsServices.CloudFront, "ListOriginAccessControls");
    public static readonly AwsOperation CreateOriginAccessControl = new(AwsServices.CloudFront, "CreateOriginAccessControl");
    public static readonly AwsOperation ListDistributions = new(AwsServices.CloudFront, "ListDistributions");
    public static readonly AwsOperation CreateDistribution = new(AwsServices.CloudFront, "CreateDistribution");
}

public static class AppStreamOperations
{
    public static readonly AwsOperation DescribeImageBuilders = new(AwsServices.AppStream, "DescribeImageBuilders");

    /// <summary>CreateImageBuilder in a VPC also needs the EC2 network-interface actions AWS lists for it.</summary>
    public static readonly AwsOperation CreateImageBuilder = new(AwsServices.AppStream, "CreateImageBuilder",
        ["appstream:CreateImageBuilder", "iam:CreateServiceLinkedRole", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"]);

    public static readonly AwsOperation DescribeImages = new(AwsServices.AppStream, "DescribeImages");
    public static readonly AwsOperation DescribeFleets = new(AwsServices.AppStream, "DescribeFleets");

    public static readonly AwsOperation CreateFleet = new(AwsServices.AppStream, "CreateFleet",
        ["appstream:CreateFleet", "iam:CreateServiceLinkedRole", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"]);

    public static readonly AwsOperation UpdateFleet = new(AwsServices.AppStream, "UpdateFleet");
    public static readonly AwsOperation StartFleet = new(AwsServices.AppStream, "StartFleet");
    public static readonly AwsOperation StopFleet = new(AwsServices.AppStream, "StopFleet");
    public static readonly AwsOperation DescribeStacks = new(AwsServices.AppStream, "DescribeStacks");
    public static readonly AwsOperation CreateStack = new(AwsServices.AppStream, "CreateStack");
    public static readonly AwsOperation ListAssociatedFleets = new(AwsServices.AppStream, "ListAssociatedFleets");
    public static readonly AwsOperation AssociateFleet = new(AwsServices.AppStream, "AssociateFleet");
    public static readonly AwsOperation CreateStreamingUrl = new(AwsServices.AppStream, "CreateStreamingURL");
}

public static class StsOperations
{
    public static readonly AwsOperation GetCallerIdentity = new(AwsServices.Sts, "GetCallerIdentity");
}
