namespace SplitCcp.Core.Tenants.Spec;

/// <summary>
/// A tenant's desired state: what the split-CCP setup should look like in its AWS account. Plain data, never observed state.
/// The wizard edits it; <c>GET/PUT /api/tenants/{id}/spec</c> reads and writes it as JSON (camelCase, enums as strings).
/// </summary>
public sealed record TenantSpec
{
    /// <summary>The schema this portal reads and writes. A document with another version is refused whole.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; set; } = CurrentSchemaVersion;

    /// <summary>The 12-digit AWS account the tenant's resources live in; used to build role and provider ARNs.</summary>
    public string? AwsAccountId { get; set; }

    public ConnectSpec Connect { get; set; } = new();

    public IdentityCenterSpec IdentityCenter { get; set; } = new();

    public IamSpec Iam { get; set; } = new();

    public HostingSpec Hosting { get; set; } = new();

    public CcpPagesSpec CcpPages { get; set; } = new();

    public AppStreamSpec AppStream { get; set; } = new();
}

public enum ConnectInstanceMode
{
    UseExisting,
    Create,
}

public sealed record ConnectSpec
{
    public ConnectInstanceMode InstanceMode { get; set; } = ConnectInstanceMode.UseExisting;

    /// <summary>The instance's ID (a UUID): required to use an existing instance; filled in once a created one exists.</summary>
    public string? InstanceId { get; set; }

    /// <summary>The instance alias, the first label of <c>https://&lt;alias&gt;.my.connect.aws</c>. Required either way: the CCP URL is built from it.</summary>
    public string? InstanceAlias { get; set; }

    /// <summary>Agents to create as Connect users; the username is the e-mail, matching the SAML RoleSessionName.</summary>
    public List<AgentUserSpec> Agents { get; set; } = [];

    /// <summary>An optional phone number to claim.</summary>
    public PhoneNumberSpec? PhoneNumber { get; set; }
}

public sealed record AgentUserSpec
{
    public string? Email { get; set; }

    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    public string? RoutingProfile { get; set; } = "Basic Routing Profile";

    public string? SecurityProfile { get; set; } = "Agent";
}

public enum PhoneNumberType
{
    Did,
    TollFree,
}

public sealed record PhoneNumberSpec
{
    /// <summary>ISO 3166-1 alpha-2 country code, such as US or GB.</summary>
    public string? CountryCode { get; set; } = "US";

    public PhoneNumberType Type { get; set; } = PhoneNumberType.Did;
}

public sealed record IdentityCenterSpec
{
    /// <summary>ARN of the IAM Identity Center instance (arn:aws:sso:::instance/ssoins-…).</summary>
    public string? InstanceArn { get; set; }

    /// <summary>
    /// The region Identity Center lives in (the organisation's home region), which is often not the tenant's: every SSO
    /// Admin and Identity Store call goes there. Empty means the tenant's region, as it did before the field existed.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>ARN of the custom SAML 2.0 application, once the operator has created it in the console.</summary>
    public string? ApplicationArn { get; set; }

    /// <summary>The IdC SAML metadata URL (https://portal.sso.&lt;region&gt;.amazonaws.com/saml/metadata/…, the region being Identity Center's); or give the XML.</summary>
    public string? MetadataUrl { get; set; }

    /// <summary>The IdC SAML metadata document, when uploaded instead of a URL.</summary>
    public string? MetadataXml { get; set; }

    /// <summary>The application's start URL from the user portal; the CCP's <c>loginUrl</c>.</summary>
    public string? StartUrl { get; set; }

    /// <summary>Identity Center user names to assign to the application.</summary>
    public List<string> AssignedUsers { get; set; } = [];

    /// <summary>Identity Center group names to assign to the application.</summary>
    public List<string> AssignedGroups { get; set; } = [];
}

public sealed record IamSpec
{
    public string? SamlProviderName { get; set; }

    public string? FederationPolicyName { get; set; }

    public string? FederationRoleName { get; set; }
}

public enum HostingMode
{
    /// <summary>Private bucket behind CloudFront with origin access control, over HTTPS. Recommended.</summary>
    CloudFront,

    /// <summary>The original guide's public bucket, done with a bucket policy (object ACLs no longer work).</summary>
    PublicBucket,
}

public sealed record HostingSpec
{
    public string? BucketName { get; set; }

    public HostingMode Mode { get; set; } = HostingMode.CloudFront;

    /// <summary>CloudFront only: the host agents load the pages from (the distribution's domain or your own alias), once known.</summary>
    public string? CloudFrontDomain { get; set; }
}

public sealed record CcpPagesSpec
{
    /// <summary>Hide the CCP controls on the audio-only page; the agent uses the in-session panel for everything.</summary>
    public bool HideAudioOnlyControls { get; set; } = true;

    public bool Ringtone { get; set; } = true;

    public bool EchoCancellation { get; set; } = true;

    /// <summary>Close the sign-in pop-up once the agent has signed in.</summary>
    public bool LoginPopupAutoClose { get; set; } = true;

    public int CcpAckTimeoutMs { get; set; } = 3000;

    public int CcpSynTimeoutMs { get; set; } = 1000;

    public int CcpLoadTimeoutMs { get; set; } = 5000;
}

public enum FleetType
{
    AlwaysOn,
    OnDemand,
}

public enum AgentBrowser
{
    Chrome,
    Firefox,
}

public sealed record AppStreamSpec
{
    public ImageBuilderSpec ImageBuilder { get; set; } = new();

    /// <summary>The image captured in the image builder with Image Assistant (there is no CreateImage API).</summary>
    public string? ImageName { get; set; }

    public FleetSpec Fleet { get; set; } = new();

    public string? StackName { get; set; }

    /// <summary>The browser the in-session panel runs in.</summary>
    public AgentBrowser Browser { get; set; } = AgentBrowser.Chrome;
}

public sealed record ImageBuilderSpec
{
    public string? Name { get; set; }

    public string? BaseImage { get; set; } = "AppStream-WinServer2022-06-17-2025";

    public string? InstanceType { get; set; } = "stream.standard.medium";

    public List<string> SubnetIds { get; set; } = [];

    public List<string> SecurityGroupIds { get; set; } = [];
}

public sealed record FleetSpec
{
    public string? Name { get; set; }

    public FleetType Type { get; set; } = FleetType.OnDemand;

    public string? InstanceType { get; set; } = "stream.standard.medium";

    public int DesiredCapacity { get; set; } = 2;
}
