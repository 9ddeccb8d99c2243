using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation.Resources;

/// <summary>
/// The account the credentials reach must be the one the spec names: a guard against applying one customer's spec to
/// another's account. Everything else depends on it.
/// </summary>
internal sealed class AccountResource() : Resource(ResourceKeys.Account, "AWS account", SpecSection.Instance)
{
    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var identity = await ctx.Aws.Sts.GetCallerIdentityAsync(ct);
        if (string.IsNullOrEmpty(ctx.Spec.AwsAccountId))
        {
            ctx.Learn(s => s.AwsAccountId = identity.Account);
        }
        else if (ctx.Spec.AwsAccountId != identity.Account)
        {
            return Observation.Blocked(
                $"The tenant's credentials reach AWS account {identity.Account}, but its setup names account {ctx.Spec.AwsAccountId}. Correct the account ID in the setup, or the tenant's access settings.");
        }

        return Observation.Present(new FieldChange("accountId", ctx.Spec.AwsAccountId, identity.Account));
    }
}
