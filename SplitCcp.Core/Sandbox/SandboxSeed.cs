using System.Security.Cryptography;
using System.Text;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Sandbox;

/// <summary>A seeded Identity Center user: <see cref="UserName"/> is an e-mail, so it is also a valid Connect username.</summary>
public sealed record SandboxPerson(string UserName, string FirstName, string LastName, string Group);

/// <summary>
/// What a Sandbox tenant's account starts with, for seeding a demo spec that matches it. <see cref="IdentityCenterRegion"/>
/// is where its Identity Center instance lives, which is not the tenant's region, as in most organisations.
/// </summary>
public sealed record SandboxWorld(
    string AccountId,
    string Region,
    string IdentityCenterRegion,
    string IdentityCenterInstanceArn,
    string IdentityStoreId,
    IReadOnlyList<SandboxPerson> Users,
    IReadOnlyList<string> Groups,
    IReadOnlyList<ConnectInstance> ConnectInstances,
    IReadOnlyList<string> BaseImages);

/// <summary>
/// The world a Sandbox account starts with, derived from the tenant so it is the same on every machine: the two Connect
/// instances of <see cref="SandboxConnect"/> with AWS's default profiles, one Identity Center instance in another region
/// (<see cref="IdentityCenterRegionFor"/>) whose identity store holds a handful of agents, a supervisor and the groups
/// Agents and Supervisors, and AWS's AppStream base images.
/// </summary>
internal static class SandboxSeed
{
    /// <summary>Records that the world was seeded, so objects the console deletes stay deleted. Not a <see cref="SandboxKinds"/> kind.</summary>
    public const string MarkerKind = "sandbox.world";

    public const string AgentsGroup = "Agents";
    public const string SupervisorsGroup = "Supervisors";

    public static readonly IReadOnlyList<string> BaseImages =
    [
        "AppStream-WinServer2022-06-17-2025",
        "AppStream-WinServer2019-06-17-2025",
        "AppStream-WinServer2016-06-17-2025",
        "AppStream-AmazonLinux2-06-17-2025",
    ];

    private static readonly string[] s_usualIdentityCenterHomes = ["us-east-1", "us-west-2", "us-gov-east-1", "us-gov-west-1"];

    private static readonly (string First, string Last)[] s_names =
    [
        ("Maria", "Garcia"), ("James", "Chen"), ("Aisha", "Okafor"), ("Liam", "Walsh"), ("Sofia", "Rossi"), ("Noah", "Kim"),
        ("Priya", "Patel"), ("Lucas", "Martin"), ("Emma", "Novak"), ("Omar", "Haddad"), ("Hannah", "Schmidt"), ("Mateo", "Silva"),
    ];

    public static async Task EnsureSeededAsync(SandboxSession s)
    {
        if (await s.ExistsAsync(MarkerKind, "world"))
        {
            return;
        }

        var tenant = await s.GetTenantAsync();
        foreach (var i in SandboxConnect.Instances(tenant))
        {
            await SandboxConnectGateway.AddInstanceAsync(s, new ConnectInstanceRecord(i.Id, i.Arn, i.Alias, i.Status, i.IdentityManagementType));
        }

        var (instanceArn, storeId) = IdentityCenterOf(tenant.Id);
        await s.PutAsync(SandboxKinds.IdentityCenterInstance, instanceArn, new IdcInstanceRecord(instanceArn, storeId, IdentityCenterRegionFor(tenant.Region)));
        foreach (var group in new[] { AgentsGroup, SupervisorsGroup })
        {
            await s.PutAsync(SandboxKinds.IdentityStorePrincipal, $"{storeId}/group/{group}",
                new IdentityStorePrincipalRecord(PrincipalId(tenant.Id, $"group/{group}"), "GROUP", group));
        }

        foreach (var person in PeopleOf(tenant))
        {
            await s.PutAsync(SandboxKinds.IdentityStorePrincipal, $"{storeId}/{person.UserName}",
                new IdentityStorePrincipalRecord(PrincipalId(tenant.Id, person.UserName), "USER", person.UserName, person.FirstName, person.LastName, person.Group));
        }

        foreach (var image in BaseImages)
        {
            await s.PutAsync(SandboxKinds.AppStreamImage, image, new ImageRecord(image, $"arn:aws:appstream:{tenant.Region}::image/{image}", SandboxAppStreamGateway.Available));
        }

        await s.PutAsync(MarkerKind, "world", new { SeededAt = s.Now });
    }

    /// <summary>
    /// The home region of a new Sandbox account's Identity Center: us-east-1, where many organisations keep it, or us-west-2
    /// for a tenant in us-east-1 (us-gov-east-1 or -west-1 in GovCloud). Never the tenant's own region, so a Sandbox setup
    /// meets Identity Center in another region than Connect, as most real ones do; fixed at seeding, like AWS's home region.
    /// </summary>
    public static string IdentityCenterRegionFor(string tenantRegion) =>
        s_usualIdentityCenterHomes.FirstOrDefault(r => r != tenantRegion && AwsPartitions.For(tenantRegion).IdentityCenterRegions.Contains(r)) ?? tenantRegion;

    public static (string InstanceArn, string IdentityStoreId) IdentityCenterOf(Guid tenantId) =>
        ($"arn:aws:sso:::instance/ssoins-{Hex(tenantId, "sso-instance", 16)}", $"d-{Hex(tenantId, "identity-store", 10)}");

    /// <summary>Four agents and a supervisor, picked from a list by the tenant, with e-mails at a domain named after it.</summary>
    private static IEnumerable<SandboxPerson> PeopleOf(TenantView tenant)
    {
        var domain = $"{(tenant.Slug.Length > 30 ? tenant.Slug[..30].TrimEnd('-') : tenant.Slug)}.example.com";
        var start = Hash(tenant.Id, "people")[0] % s_names.Length;
        return Enumerable.Range(0, 5).Select(n =>
        {
            var (first, last) = s_names[(start + n) % s_names.Length];
            return new SandboxPerson($"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}@{domain}", first, last, n < 4 ? AgentsGroup : SupervisorsGroup);
        });
    }

    /// <summary>Identity store IDs look like 9067d4d4c5-0f1e2d3c-….</summary>
    private static string PrincipalId(Guid tenantId, string name) =>
        $"{Hex(tenantId, "principal-prefix", 10)}-{SandboxConnect.DeterministicGuid(tenantId, $"principal/{name}")}";

    private static string Hex(Guid tenantId, string salt, int length) => Convert.ToHexStringLower(Hash(tenantId, salt))[..length];

    private static byte[] Hash(Guid tenantId, string salt) => SHA256.HashData([.. tenantId.ToByteArray(), .. Encoding.UTF8.GetBytes(salt)]);
}
