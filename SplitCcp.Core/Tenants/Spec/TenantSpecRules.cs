using System.Text.RegularExpressions;
using System.Xml;

namespace SplitCcp.Core.Tenants.Spec;

/// <summary>The parts of a spec the wizard validates one at a time: one per step.</summary>
public enum SpecSection
{
    Instance,
    IdentityCenter,
    Iam,
    Hosting,
    CcpPages,
    AppStream,
}

/// <summary>
/// One rule per spec field, each returning the message to show at that field or null. <see cref="Validate"/> keys its
/// errors by the field's JSON path (<c>connect.agents[0].email</c>), which is also how the API reports them.
/// </summary>
public static partial class TenantSpecRules
{
    public const int MetadataXmlMaxLength = 200_000;

    // List caps, from what AWS accepts, so an upload's cost is bounded by reading it. A list over its cap gets one error at the
    // list's path before any rule looks at its items.

    /// <summary>Amazon Connect's default quota of users per instance (Service Quotas, "Users per instance"): each agent is one Connect user.</summary>
    public const int MaxAgents = 500;

    /// <summary>Each assigned user signs in as one agent, so there are no more of them than agents.</summary>
    public const int MaxAssignedUsers = MaxAgents;

    /// <summary>A group assigned to the application is useful only if it holds an agent, so there are no more of them than agents.</summary>
    public const int MaxAssignedGroups = MaxAgents;

    /// <summary>A fleet takes one subnet per Availability Zone (AppStream's VpcConfig), and no region has more than six zones.</summary>
    public const int MaxSubnets = 6;

    /// <summary>AppStream's service model: SecurityGroupIdList has "max": 5.</summary>
    public const int MaxSecurityGroups = 5;

    public static string? AwsAccountId(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "Enter the 12-digit AWS account ID the tenant's resources live in."
        : AccountIdPattern().IsMatch(value) ? null
        : "An AWS account ID is exactly 12 digits, such as 123456789012.";

    public static string? ConnectInstanceId(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "Choose the Amazon Connect instance, or enter its ID."
        : Guid.TryParseExact(value, "D", out _) && !value.Any(char.IsUpper) ? null
        : "An instance ID looks like bae1b13e-6e52-4e0b-9e13-769c27a1b2c3 (the end of the instance ARN).";

    public static string? ConnectInstanceAlias(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "Enter the instance alias: the first part of https://<alias>.my.connect.aws."
        : value.Length <= 45 && InstanceAliasPattern().IsMatch(value) ? null
        : "Use 1 to 45 letters, digits and hyphens, starting and ending with a letter or digit (not 'd-').";

    public static string? AgentEmail(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "Enter the agent's e-mail; it is their Connect username."
        : value.Length <= 64 && ConnectUsernamePattern().IsMatch(value) && value.Count(c => c == '@') == 1 && !value.StartsWith('@') && !value.EndsWith('@') ? null
        : "Use an e-mail address of at most 64 characters made of letters, digits and _ - . @ (Connect usernames allow no others).";

    public static string? PersonName(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "Enter a name."
        : value.Length > 100 ? "Use at most 100 characters."
        : TenantRules.HiddenCharacters(value);

    public static string? ProfileName(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "Enter the profile's name as it appears in Amazon Connect."
        : value.Length > 127 ? "Use at most 127 characters."
        : TenantRules.HiddenCharacters(value);

    public static string? CountryCode(string? value) =>
        Countries.IsCode(value) ? null
        : "Enter a two-letter ISO country code in capitals, such as US, GB or DE.";

    public static string? IdentityCenterInstanceArn(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : IdcInstanceArnPattern().IsMatch(value) ? null
        : "An Identity Center instance ARN looks like arn:aws:sso:::instance/ssoins-1234567890abcdef.";

    public static string? IdentityCenterApplicationArn(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : IdcApplicationArnPattern().IsMatch(value) ? null
        : "An application ARN looks like arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef.";

    /// <summary>
    /// Where Identity Center lives: empty for the tenant's own region, else a region of the tenant's partition where
    /// Identity Center runs (API calls and identities do not cross partitions).
    /// </summary>
    public static string? IdentityCenterRegion(string? value, string tenantRegion)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var partition = AwsPartitions.For(tenantRegion);
        return partition.IdentityCenterRegions.Contains(value, StringComparer.Ordinal)
            ? null
            : $"Choose a region of {partition.Name} where IAM Identity Center runs: the one its metadata URL names (portal.sso.<region>…), or none for the tenant's region, {tenantRegion}.";
    }

    public static string? MetadataUrl(string? value, SpecTarget target) =>
        string.IsNullOrWhiteSpace(value) || IdentityCenterMetadataUrl.Parse(value, target.Emulator) is not null
            ? null
            : $"Paste the IAM Identity Center SAML metadata URL: {IdentityCenterMetadataUrl.Example(target.Emulator)}.";

    public static string? MetadataXml(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (value.Length > MetadataXmlMaxLength)
        {
            return $"The metadata document is larger than {MetadataXmlMaxLength / 1000} KB; upload the one the Identity Center console gives you.";
        }

        try
        {
            using var reader = XmlReader.Create(new StringReader(value), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            reader.MoveToContent();
            return reader.LocalName == "EntityDescriptor" ? null : "This XML is not SAML metadata: its root element must be EntityDescriptor.";
        }
        catch (XmlException ex)
        {
            return $"This is not well-formed XML ({ex.Message}).";
        }
    }

    /// <summary>Optional, like the application's ARN and metadata: the console step gives them, after the first apply if need be.</summary>
    public static string? StartUrl(string? value)
    {
        // Known only once the application exists (a console step): the setup is complete without it, and the plan says what waits.
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && string.IsNullOrEmpty(uri.UserInfo)
            && (uri.Host.EndsWith(".awsapps.com", StringComparison.Ordinal) || uri.Host.EndsWith(".app.aws", StringComparison.Ordinal)
                || uri.Host.EndsWith(".amazonaws.com", StringComparison.Ordinal))
            ? null
            : "Use the https:// link of the application in the AWS access portal, such as https://d-1234567890.awsapps.com/start/#/….";
    }

    public static string? IdentityName(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "Enter a user or group name, or remove the empty line."
        : value.Length > 128 ? "Use at most 128 characters."
        : TenantRules.HiddenCharacters(value);

    public static string? SamlProviderName(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "Enter a name for the IAM SAML identity provider."
        : SamlProviderNamePattern().IsMatch(value) ? null
        : "Use 1 to 128 letters, digits and . _ -.";

    public static string? IamPolicyName(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "Enter a name for the federation policy."
        : IamNamePattern().IsMatch(value) && value.Length <= 128 ? null
        : "Use 1 to 128 letters, digits and + = , . @ _ -.";

    public static string? IamRoleName(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "Enter a name for the federation role."
        : IamNamePattern().IsMatch(value) && value.Length <= 64 ? null
        : "Use 1 to 64 letters, digits and + = , . @ _ -.";

    /// <summary>S3's bucket naming rules, plus no dots: a dotted name breaks HTTPS on the bucket's virtual-hosted URL.</summary>
    public static string? BucketName(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "Enter a bucket name.";
        }

        if (value.Length is < 3 or > 63)
        {
            return "A bucket name has 3 to 63 characters.";
        }

        if (value.Contains('.', StringComparison.Ordinal))
        {
            return "Leave dots out: a bucket name with dots cannot be served over HTTPS by its S3 address, and the CCP needs HTTPS.";
        }

        if (!BucketPattern().IsMatch(value))
        {
            return "Use lowercase letters, digits and hyphens, starting and ending with a letter or digit.";
        }

        string[] reservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
        string[] reservedSuffixes = ["-s3alias", "--ol-s3", "--x-s3", "--table-s3"];
        return reservedPrefixes.Any(p => value.StartsWith(p, StringComparison.Ordinal)) || reservedSuffixes.Any(s => value.EndsWith(s, StringComparison.Ordinal))
            ? "S3 reserves this prefix or suffix; choose another name."
            : null;
    }

    /// <summary>CloudFront hosting only where the tenant's partition offers CloudFront (not in AWS GovCloud (US)).</summary>
    public static string? HostingModeOffered(HostingMode mode, SpecTarget target) =>
        mode == HostingMode.CloudFront && target.Partition.CloudFront is null
            ? $"CloudFront is not offered in {target.Partition.Name}, where {target.Region} is: serve the pages from the public bucket."
            : null;

    public static string? CloudFrontDomain(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : value.Length <= 253 && HostnamePattern().IsMatch(value) ? null
        : "Enter a host name only, such as d111111abcdef8.cloudfront.net or ccp.example.com (no https://, no path).";

    public static string? TimeoutMs(int value, int min, int max) =>
        value >= min && value <= max ? null : $"Use a value from {min} to {max} milliseconds.";

    public static string? AppStreamName(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "Enter a name."
        : AppStreamNamePattern().IsMatch(value) ? null
        : "Use 1 to 100 letters, digits and _ . -, starting with a letter or digit.";

    public static string? AppStreamInstanceType(string? value) =>
        !string.IsNullOrWhiteSpace(value) && InstanceTypePattern().IsMatch(value) ? null
        : "Use an AppStream instance type such as stream.standard.medium.";

    public static string? SubnetId(string? value) =>
        !string.IsNullOrWhiteSpace(value) && SubnetPattern().IsMatch(value) ? null : "A subnet ID looks like subnet-0123456789abcdef0.";

    public static string? SecurityGroupId(string? value) =>
        !string.IsNullOrWhiteSpace(value) && SecurityGroupPattern().IsMatch(value) ? null : "A security group ID looks like sg-0123456789abcdef0.";

    public static string? AgentCount(int count) =>
        ListLength(count, MaxAgents, "agents", $"Amazon Connect's default quota is {MaxAgents} users per instance.");

    public static string? AssignedUserCount(int count) =>
        ListLength(count, MaxAssignedUsers, "users to assign", "each one signs in as an agent. Assign a group instead of many users.");

    public static string? AssignedGroupCount(int count) =>
        ListLength(count, MaxAssignedGroups, "groups to assign", "there can be no more useful groups than agents. Put the agents in fewer groups.");

    public static string? SubnetCount(int count) =>
        ListLength(count, MaxSubnets, "subnets", "AppStream uses one subnet per Availability Zone, and no region has more than six.");

    public static string? SecurityGroupCount(int count) =>
        ListLength(count, MaxSecurityGroups, "security groups", "that is all AppStream accepts.");

    // The message names no count: the wizard shows it when a list is full, before one more is added.
    private static string? ListLength(int count, int max, string items, string reason) =>
        count <= max ? null : $"List at most {max} {items}: {reason}";

    public static string? DesiredCapacity(int value) =>
        value is >= 1 and <= 500 ? null : "Use a capacity from 1 to 500 instances.";

    /// <summary>The section (wizard step) a JSON path of <see cref="Validate"/> belongs to.</summary>
    public static SpecSection SectionOf(string path) =>
        path.StartsWith("identityCenter.", StringComparison.Ordinal) ? SpecSection.IdentityCenter
        : path.StartsWith("iam.", StringComparison.Ordinal) ? SpecSection.Iam
        : path.StartsWith("hosting.", StringComparison.Ordinal) ? SpecSection.Hosting
        : path.StartsWith("ccpPages.", StringComparison.Ordinal) ? SpecSection.CcpPages
        : path.StartsWith("appStream.", StringComparison.Ordinal) ? SpecSection.AppStream
        : SpecSection.Instance;

    /// <summary>Every rule of the given sections (all of them when none are named), for the tenant <paramref name="target"/> names, keyed by JSON path.</summary>
    public static IReadOnlyDictionary<string, string[]> Validate(TenantSpec spec, SpecTarget target, params SpecSection[] sections)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Check(string path, string? error)
        {
            if (error is not null)
            {
                errors[path] = [error];
            }
        }

        bool WithinCap(string path, string? error)
        {
            Check(path, error);
            return error is null;
        }

        var all = sections.Length == 0;
        bool Has(SpecSection section) => all || sections.Contains(section);

        if (Has(SpecSection.Instance))
        {
            Check("awsAccountId", AwsAccountId(spec.AwsAccountId));
            var connect = spec.Connect;
            Check("connect.instanceAlias", ConnectInstanceAlias(connect.InstanceAlias) ?? target.Partition.NotSupported);
            if (connect.InstanceMode == ConnectInstanceMode.UseExisting)
            {
                Check("connect.instanceId", ConnectInstanceId(connect.InstanceId));
            }
            else if (!string.IsNullOrEmpty(connect.InstanceId))
            {
                Check("connect.instanceId", ConnectInstanceId(connect.InstanceId));
            }

            if (WithinCap("connect.agents", AgentCount(connect.Agents.Count)))
            {
                var seenEmails = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                for (var i = 0; i < connect.Agents.Count; i++)
                {
                    var agent = connect.Agents[i];
                    Check($"connect.agents[{i}].email", AgentEmail(agent.Email));
                    Check($"connect.agents[{i}].firstName", PersonName(agent.FirstName));
                    Check($"connect.agents[{i}].lastName", PersonName(agent.LastName));
                    Check($"connect.agents[{i}].routingProfile", ProfileName(agent.RoutingProfile));
                    Check($"connect.agents[{i}].securityProfile", ProfileName(agent.SecurityProfile));
                    if (agent.Email is not null && !seenEmails.Add(agent.Email))
                    {
                        errors.TryAdd($"connect.agents[{i}].email", ["This agent is listed twice."]);
                    }
                }
            }

            if (connect.PhoneNumber is { } phone)
            {
                Check("connect.phoneNumber.countryCode", CountryCode(phone.CountryCode));
            }
        }

        if (Has(SpecSection.IdentityCenter))
        {
            var idc = spec.IdentityCenter;
            Check("identityCenter.instanceArn", IdentityCenterInstanceArn(idc.InstanceArn));
            Check("identityCenter.region", IdentityCenterRegion(idc.Region, target.Region));
            Check("identityCenter.applicationArn", IdentityCenterApplicationArn(idc.ApplicationArn));
            Check("identityCenter.metadataUrl", MetadataUrl(idc.MetadataUrl, target));
            if (MetadataUrl(idc.MetadataUrl, target) is null && IdentityCenterMetadataUrl.RegionOf(idc.MetadataUrl) is { } portalRegion
                && portalRegion != (string.IsNullOrWhiteSpace(idc.Region) ? target.Region : idc.Region))
            {
                errors.TryAdd("identityCenter.region",
                    [$"The metadata URL is that of Identity Center in {portalRegion}, so that is its region: set the Identity Center region to {portalRegion}."]);
            }

            Check("identityCenter.metadataXml", MetadataXml(idc.MetadataXml));
            Check("identityCenter.startUrl", StartUrl(idc.StartUrl));
            if (WithinCap("identityCenter.assignedUsers", AssignedUserCount(idc.AssignedUsers.Count)))
            {
                for (var i = 0; i < idc.AssignedUsers.Count; i++)
                {
                    Check($"identityCenter.assignedUsers[{i}]", IdentityName(idc.AssignedUsers[i]));
                }
            }

            if (WithinCap("identityCenter.assignedGroups", AssignedGroupCount(idc.AssignedGroups.Count)))
            {
                for (var i = 0; i < idc.AssignedGroups.Count; i++)
                {
                    Check($"identityCenter.assignedGroups[{i}]", IdentityName(idc.AssignedGroups[i]));
                }
            }
        }

        if (Has(SpecSection.Iam))
        {
            Check("iam.samlProviderName", SamlProviderName(spec.Iam.SamlProviderName));
            Check("iam.federationPolicyName", IamPolicyName(spec.Iam.FederationPolicyName));
            Check("iam.federationRoleName", IamRoleName(spec.Iam.FederationRoleName));
        }

        if (Has(SpecSection.Hosting))
        {
            Check("hosting.bucketName", BucketName(spec.Hosting.BucketName));
            Check("hosting.mode", HostingModeOffered(spec.Hosting.Mode, target));

            // A public bucket is served from its S3 address: a domain left from CloudFront mode is unused, and the wizard hides its field.
            if (spec.Hosting.Mode == HostingMode.CloudFront)
            {
                Check("hosting.cloudFrontDomain", CloudFrontDomain(spec.Hosting.CloudFrontDomain));
            }
        }

        if (Has(SpecSection.CcpPages))
        {
            Check("ccpPages.ccpAckTimeoutMs", TimeoutMs(spec.CcpPages.CcpAckTimeoutMs, 1000, 60_000));
            Check("ccpPages.ccpSynTimeoutMs", TimeoutMs(spec.CcpPages.CcpSynTimeoutMs, 500, 60_000));
            Check("ccpPages.ccpLoadTimeoutMs", TimeoutMs(spec.CcpPages.CcpLoadTimeoutMs, 1000, 120_000));
        }

        if (Has(SpecSection.AppStream))
        {
            var appStream = spec.AppStream;
            Check("appStream.imageBuilder.name", AppStreamName(appStream.ImageBuilder.Name));
            Check("appStream.imageBuilder.baseImage", AppStreamName(appStream.ImageBuilder.BaseImage));
            Check("appStream.imageBuilder.instanceType", AppStreamInstanceType(appStream.ImageBuilder.InstanceType));
            if (WithinCap("appStream.imageBuilder.subnetIds", SubnetCount(appStream.ImageBuilder.SubnetIds.Count)))
            {
                for (var i = 0; i < appStream.ImageBuilder.SubnetIds.Count; i++)
                {
                    Check($"appStream.imageBuilder.subnetIds[{i}]", SubnetId(appStream.ImageBuilder.SubnetIds[i]));
                }
            }

            if (WithinCap("appStream.imageBuilder.securityGroupIds", SecurityGroupCount(appStream.ImageBuilder.SecurityGroupIds.Count)))
            {
                for (var i = 0; i < appStream.ImageBuilder.SecurityGroupIds.Count; i++)
                {
                    Check($"appStream.imageBuilder.securityGroupIds[{i}]", SecurityGroupId(appStream.ImageBuilder.SecurityGroupIds[i]));
                }
            }

            Check("appStream.imageName", AppStreamName(appStream.ImageName));
            Check("appStream.fleet.name", AppStreamName(appStream.Fleet.Name));
            Check("appStream.fleet.instanceType", AppStreamInstanceType(appStream.Fleet.InstanceType));
            Check("appStream.fleet.desiredCapacity", DesiredCapacity(appStream.Fleet.DesiredCapacity));
            Check("appStream.stackName", AppStreamName(appStream.StackName));
        }

        return errors;
    }

    [GeneratedRegex(@"^[0-9]{12}\z")]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex(@"^(?!d-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\z")]
    private static partial Regex InstanceAliasPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.@-]+\z")]
    private static partial Regex ConnectUsernamePattern();

    [GeneratedRegex(@"^arn:aws(?:-[a-z]+)*:sso:::instance/(?:sso)?ins-[A-Za-z0-9.-]{16}\z")]
    private static partial Regex IdcInstanceArnPattern();

    [GeneratedRegex(@"^arn:aws(?:-[a-z]+)*:sso::[0-9]{12}:application/(?:sso)?ins-[A-Za-z0-9.-]{16}/apl-[A-Za-z0-9]{16}\z")]
    private static partial Regex IdcApplicationArnPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,128}\z")]
    private static partial Regex SamlProviderNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9+=,.@_-]+\z")]
    private static partial Regex IamNamePattern();

    [GeneratedRegex(@"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\z")]
    private static partial Regex BucketPattern();

    [GeneratedRegex(@"^(?=.{1,253}\z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\z")]
    private static partial Regex HostnamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\z")]
    private static partial Regex AppStreamNamePattern();

    [GeneratedRegex(@"^stream\.[a-z0-9-]+\.[a-z0-9]+\z")]
    private static partial Regex InstanceTypePattern();

    [GeneratedRegex(@"^subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?\z")]
    private static partial Regex SubnetPattern();

    [GeneratedRegex(@"^sg-[0-9a-f]{8}(?:[0-9a-f]{9})?\z")]
    private static partial Regex SecurityGroupPattern();
}
