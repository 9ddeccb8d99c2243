using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;

namespace SplitCcp.Core.Sandbox;

/// <summary>
/// The Sandbox object behind each resource of a plan, for "simulate a console change": the kind a resource key maps to, and
/// its ID, found from what the plan's pass learned (the effective spec, the values derived from it, the IDs resources passed
/// on) the way the resource found it in the account. Resources with no single object (the account, the assignments) have none.
/// </summary>
internal static class SandboxResourceObjects
{
    private delegate Task<string?> Finder(ReconcileContext ctx, string key, SandboxSession session);

    private static readonly Dictionary<string, (string Kind, Finder Find)> s_byKey = new(StringComparer.Ordinal)
    {
        [ResourceKeys.ConnectInstance] = (SandboxKinds.ConnectInstance, Named(ctx => ctx.Spec.Connect.InstanceId)),
        [ResourceKeys.ConnectPhoneNumber] = (SandboxKinds.ConnectPhoneNumber, PhoneNumberAsync),
        [ResourceKeys.ConnectApprovedOrigin] = (SandboxKinds.ConnectApprovedOrigin, ApprovedOriginAsync),
        [ResourceKeys.IdentityCenterApplication] = (SandboxKinds.IdentityCenterApplication, ApplicationAsync),
        [ResourceKeys.SamlProvider] = (SandboxKinds.IamSamlProvider, Named(ctx => ctx.Values.SamlProviderArn)),
        [ResourceKeys.FederationPolicy] = (SandboxKinds.IamPolicy, Named(ctx => ctx.Values.FederationPolicyArn)),
        [ResourceKeys.FederationRole] = (SandboxKinds.IamRole, Named(ctx => ctx.Spec.Iam.FederationRoleName)),
        [ResourceKeys.FederationRolePolicy] = (SandboxKinds.IamRoleAttachment, Named(ctx => $"{ctx.Spec.Iam.FederationRoleName}|{ctx.Values.FederationPolicyArn}")),
        [ResourceKeys.Bucket] = (SandboxKinds.S3Bucket, Named(ctx => ctx.Spec.Hosting.BucketName)),
        [ResourceKeys.OriginAccessControl] = (SandboxKinds.CloudFrontOriginAccessControl, Named(ctx => ctx.Outputs.GetValueOrDefault(ResourceKeys.OriginAccessControl))),

        // The resource passes on the distribution's ARN, which ends in its ID.
        [ResourceKeys.Distribution] = (SandboxKinds.CloudFrontDistribution, Named(ctx => ctx.Outputs.GetValueOrDefault(ResourceKeys.Distribution)?.Split('/')[^1])),
        [ResourceKeys.BucketPolicy] = (SandboxKinds.S3BucketPolicy, Named(ctx => ctx.Spec.Hosting.BucketName)),
        [ResourceKeys.ImageBuilder] = (SandboxKinds.AppStreamImageBuilder, Named(ctx => ctx.Spec.AppStream.ImageBuilder.Name)),
        [ResourceKeys.Image] = (SandboxKinds.AppStreamImage, Named(ctx => ctx.Spec.AppStream.ImageName)),
        [ResourceKeys.Fleet] = (SandboxKinds.AppStreamFleet, Named(ctx => ctx.Spec.AppStream.Fleet.Name)),
        [ResourceKeys.Stack] = (SandboxKinds.AppStreamStack, Named(ctx => ctx.Spec.AppStream.StackName)),
        [ResourceKeys.StackFleet] = (SandboxKinds.AppStreamFleetAssociation, Named(ctx => $"{ctx.Spec.AppStream.StackName}|{ctx.Spec.AppStream.Fleet.Name}")),
    };

    /// <summary>The kind of the resource's object, or null when the resource is not one object.</summary>
    public static string? KindOf(string key) => Lookup(key)?.Kind;

    /// <summary>The ID of the resource's object, or null when there is none (yet) or the resource is not one object.</summary>
    public static async Task<string?> FindAsync(ReconcileContext ctx, string key, SandboxSession session) =>
        Lookup(key) is var (kind, find) && await find(ctx, key, session) is { } id && await session.ExistsAsync(kind, id) ? id : null;

    private static (string Kind, Finder Find)? Lookup(string key) =>
        s_byKey.TryGetValue(key, out var found) ? found
        : key.StartsWith(ResourceKeys.ConnectUserPrefix, StringComparison.Ordinal) ? (SandboxKinds.ConnectUser, ConnectUserAsync)
        : key.StartsWith(ResourceKeys.ObjectPrefix, StringComparison.Ordinal)
            ? (SandboxKinds.S3Object, (ctx, k, _) => Task.FromResult<string?>($"{ctx.Spec.Hosting.BucketName}/{k[ResourceKeys.ObjectPrefix.Length..]}"))
        : null;

    private static Finder Named(Func<ReconcileContext, string?> id) => (ctx, _, _) => Task.FromResult(id(ctx));

    /// <summary>The agent's user, whose username is the agent's e-mail in whatever case it was created with.</summary>
    private static async Task<string?> ConnectUserAsync(ReconcileContext ctx, string key, SandboxSession session)
    {
        var prefix = $"{ctx.Spec.Connect.InstanceId}/";
        var email = key[ResourceKeys.ConnectUserPrefix.Length..];
        return (await session.ListAsync<ConnectUserRecord>(SandboxKinds.ConnectUser, prefix))
            .FirstOrDefault(u => string.Equals(u.Username, email, StringComparison.OrdinalIgnoreCase)) is { } user ? prefix + user.Username : null;
    }

    /// <summary>The first number of the setup's country and type claimed for the instance, or else the first still being claimed.</summary>
    private static async Task<string?> PhoneNumberAsync(ReconcileContext ctx, string key, SandboxSession session)
    {
        var wanted = ctx.Spec.Connect.PhoneNumber!;
        var numbers = (await session.ListAsync<ConnectPhoneNumberRecord>(SandboxKinds.ConnectPhoneNumber))
            .Where(n => n.TargetArn == ctx.Values.ConnectInstanceArn && n.CountryCode == wanted.CountryCode && n.Type == PhoneNumberResource.TypeOf(wanted))
            .ToList();
        return (numbers.FirstOrDefault(n => n.Status == ConnectPhoneNumber.Claimed)
            ?? numbers.FirstOrDefault(n => n.Status is not (ConnectPhoneNumber.Claimed or ConnectPhoneNumber.Failed)))?.PhoneNumberId;
    }

    private static async Task<string?> ApprovedOriginAsync(ReconcileContext ctx, string key, SandboxSession session)
    {
        var prefix = $"{ctx.Spec.Connect.InstanceId}|";
        return (await session.ListAsync<ConnectApprovedOriginRecord>(SandboxKinds.ConnectApprovedOrigin, prefix))
            .FirstOrDefault(o => string.Equals(o.Origin.TrimEnd('/'), ctx.Values.HostingOrigin, StringComparison.OrdinalIgnoreCase)) is { } found ? prefix + found.Origin : null;
    }

    /// <summary>The setup's application, when Identity Center has it in the region the setup names: it answers only there.</summary>
    private static async Task<string?> ApplicationAsync(ReconcileContext ctx, string key, SandboxSession session)
    {
        var arn = ctx.Spec.IdentityCenter.ApplicationArn;
        if (string.IsNullOrEmpty(arn) || await session.GetAsync<IdcApplicationRecord>(SandboxKinds.IdentityCenterApplication, arn) is not { } application)
        {
            return null;
        }

        return await session.GetAsync<IdcInstanceRecord>(SandboxKinds.IdentityCenterInstance, application.InstanceArn) is { } instance
            && SandboxIdentityCenterGateway.HomeOf(instance, ctx.Tenant) == ctx.Values.IdentityCenterRegion
                ? arn
                : null;
    }
}
