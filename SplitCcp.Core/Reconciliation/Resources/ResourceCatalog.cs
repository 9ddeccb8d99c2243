using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation.Resources;

/// <summary>Every resource a spec asks for, in an order where each comes after what it depends on (the dependency-order test holds it).</summary>
internal static class ResourceCatalog
{
    public static IReadOnlyList<Resource> For(TenantSpec spec)
    {
        // The Connect instance can take minutes to create, so it comes first and what does not need it follows, while AWS
        // works on it; what needs it (agents, the number, the federation policy, the approved origin) comes after.
        var cloudFront = spec.Hosting.Mode == HostingMode.CloudFront;
        List<Resource> resources = [new AccountResource(), new ConnectInstanceResource(), new IdentityCenterApplicationResource()];
        if (spec.IdentityCenter.AssignedUsers.Count + spec.IdentityCenter.AssignedGroups.Count > 0)
        {
            resources.Add(new IdentityCenterAssignmentsResource());
        }

        resources.AddRange([new SamlProviderResource(), new BucketResource()]);
        if (cloudFront)
        {
            resources.AddRange([new OriginAccessControlResource(), new DistributionResource()]);
        }

        resources.AddRange(
        [
            new BucketPolicyResource(cloudFront),
            new CcpObjectResource(SetupValues.ConnectStreamsName),
            new CcpObjectResource(SetupValues.AudioOnlyPageName),
            new CcpObjectResource(SetupValues.InSessionPageName),
            new ImageBuilderResource(),
            new StackResource(),
        ]);
        resources.AddRange(spec.Connect.Agents
            .Where(a => !string.IsNullOrWhiteSpace(a.Email))
            .DistinctBy(a => a.Email!.ToLowerInvariant())
            .Select(a => new ConnectUserResource(a)));
        if (spec.Connect.PhoneNumber is { } number)
        {
            resources.Add(new PhoneNumberResource(number));
        }

        resources.AddRange(
        [
            new FederationPolicyResource(),
            new FederationRoleResource(),
            new FederationRolePolicyResource(),
            new ApprovedOriginResource(cloudFront ? ResourceKeys.Distribution : ResourceKeys.Bucket),
            new ImageResource(),
            new FleetResource(),
            new StackFleetResource(),
        ]);
        return resources;
    }
}
