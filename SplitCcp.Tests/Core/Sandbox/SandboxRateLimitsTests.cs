using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Sandbox;

namespace SplitCcp.Tests.Core.Sandbox;

/// <summary>The Sandbox refusing what AWS refuses over its published rates, and the portal's limiter staying under them.</summary>
public sealed class SandboxRateLimitsTests
{
    [Fact]
    public async Task EnforceRateLimits_ABurstAboveConnectsRate_IsThrottledPerOperationUntilTokensRefill()
    {
        await using var world = await SandboxTestWorld.StartAsync(maxRetries: 0);
        world.Options.CurrentValue = new SandboxOptions { EnforceRateLimits = true };

        for (var i = 0; i < 5; i++)
        {
            (await world.Account.Connect.ListInstancesAsync(default)).ShouldNotBeEmpty();
        }

        var refused = await Should.ThrowAsync<AwsCallException>(() => world.Account.Connect.ListInstancesAsync(default));
        await world.Account.Connect.DescribeInstanceAsync("00000000-0000-0000-0000-000000000000", default);
        world.Time.Advance(TimeSpan.FromMilliseconds(500));
        await world.Account.Connect.ListInstancesAsync(default);
        await Should.ThrowAsync<AwsCallException>(() => world.Account.Connect.ListInstancesAsync(default));

        refused.Failure.Kind.ShouldBe(AwsFailureKind.Throttled);
        refused.Failure.Service.ShouldBe(AwsServices.Connect);
        refused.Failure.IsTransient.ShouldBeTrue("a refusal over the rate goes through the caller's retries like real throttling");
        world.Faults.RateLimited.ShouldBe(2, "burst 5, then one token per half second, and another operation has its own bucket");
        world.Faults.Throttles.ShouldBe(2);
        world.Faults.Attempts.ShouldBe(9);
    }

    [Fact]
    public void TryAccept_AfterAccountsFallIdle_LetsTheirFullBucketsGoAndStillRefusesADrainedOne()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var limits = new SandboxRateLimits(time);
        var describe = ConnectOperations.DescribeInstance;
        for (var account = 0; account < 100; account++)
        {
            limits.TryAccept($"{account:D12}", "eu-west-2", describe).ShouldBeTrue();
        }

        // Drained just before the sweep is due: a second later it has two of its five tokens back, and the sweep keeps it.
        time.Advance(SandboxRateLimits.SweepInterval - TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++)
        {
            limits.TryAccept("111111111111", "eu-west-2", describe).ShouldBeTrue();
        }

        time.Advance(TimeSpan.FromSeconds(1));
        limits.TryAccept("111111111111", "eu-west-2", describe).ShouldBeTrue("the call that sweeps takes one of the two tokens");
        limits.TryAccept("111111111111", "eu-west-2", describe).ShouldBeTrue();

        limits.TryAccept("111111111111", "eu-west-2", describe).ShouldBeFalse("drained again, and not reset by the sweep");
        limits.BucketCount.ShouldBe(1, "the idle accounts' full buckets are let go; only the account in use has one");
    }

    [Fact]
    public async Task EnforceRateLimits_IdentityCenterAbove20PerSecond_IsThrottledAcrossItsOperations()
    {
        await using var world = await SandboxTestWorld.StartAsync(maxRetries: 0);
        world.Options.CurrentValue = new SandboxOptions { EnforceRateLimits = true };
        var storeId = (await world.Console.GetWorldAsync(world.TenantId)).IdentityStoreId;
        var application = await world.Console.CreateSamlApplicationAsync(world.TenantId, "CCP");

        for (var i = 0; i < 10; i++)
        {
            await world.IdentityCenter.ListInstancesAsync(default);
            await world.IdentityCenter.DescribeApplicationAsync(application.ApplicationArn, default);
        }

        var refused = await Should.ThrowAsync<AwsCallException>(() => world.IdentityCenter.ListInstancesAsync(default));
        (await world.IdentityCenter.FindGroupIdAsync(storeId, "Agents", default)).ShouldNotBeNull("the identity store is counted apart");

        refused.Failure.Kind.ShouldBe(AwsFailureKind.Throttled);
        refused.Failure.Service.ShouldBe(AwsServices.IdentityCenter);
        world.Faults.RateLimited.ShouldBe(1);
    }

    [Fact]
    public async Task EnforceRateLimits_ServicesWithoutPublishedRates_AreNotLimited()
    {
        await using var world = await SandboxTestWorld.StartAsync(maxRetries: 0);
        world.Options.CurrentValue = new SandboxOptions { EnforceRateLimits = true };

        for (var i = 0; i < 50; i++)
        {
            (await world.Account.Iam.GetRoleAsync("nobody", default)).ShouldBeNull();
        }

        world.Faults.Throttles.ShouldBe(0);
    }

    [Fact]
    public async Task EnforceRateLimits_Off_RefusesNothing()
    {
        await using var world = await SandboxTestWorld.StartAsync(maxRetries: 0);

        for (var i = 0; i < 20; i++)
        {
            await world.Account.Connect.ListInstancesAsync(default);
        }

        world.Faults.Throttles.ShouldBe(0);
        world.Faults.AttemptsByOperation().ShouldHaveSingleItem().Attempts.ShouldBe(20);
    }

    [Fact]
    public async Task AttemptsByOperation_CountsEachRegionAndOperationOfAnAccountApart()
    {
        await using var world = await SandboxTestWorld.StartAsync(maxRetries: 0);

        for (var i = 0; i < 3; i++)
        {
            await world.Account.Connect.ListInstancesAsync(default);
        }

        await world.IdentityCenter.ListInstancesAsync(default);
        await world.IdentityCenter.ListInstancesAsync(default);
        await world.Account.Iam.GetRoleAsync("nobody", default);

        world.Faults.AttemptsByOperation().Select(c => (c.Region, c.Operation.Service, c.Operation.Name, c.Attempts)).ShouldBe(
        [
            (world.Tenant.Region, AwsServices.Connect, "ListInstances", 3L),
            (world.IdentityCenterRegion, AwsServices.IdentityCenter, "ListInstances", 2L),
            (world.Tenant.Region, AwsServices.Iam, "GetRole", 1L),
        ], ignoreOrder: true);
        world.Faults.AttemptsByOperation().Select(c => c.AccountId).Distinct().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task ClientLimiter_ATenantsCallsAboveTheRate_WaitInsteadOfBeingThrottled()
    {
        await using var world = await SandboxTestWorld.StartAsync(maxRetries: 0, rateLimited: true);
        world.Options.CurrentValue = new SandboxOptions { EnforceRateLimits = true };
        var started = world.Time.GetUtcNow();

        // What a tenant's check does, squeezed: one Connect operation twelve times, IAM in between, Identity Center thirty
        // times. One call at a time, off the test framework's synchronization context, so a call woken by the clock goes on
        // inside Advance: the portal's limiter and the Sandbox then see the same moment, as a request and its arrival would.
        await Task.Run(async () =>
        {
            for (var i = 0; i < 12; i++)
            {
                await ClockedAsync(world, world.Account.Connect.ListInstancesAsync(default));
                await ClockedAsync(world, world.Account.Iam.GetRoleAsync("nobody", default));
            }

            for (var i = 0; i < 30; i++)
            {
                await ClockedAsync(world, world.IdentityCenter.ListInstancesAsync(default));
            }
        });

        world.Faults.Throttles.ShouldBe(0, "the portal's limiter must keep the account under AWS's rates");
        world.Faults.Attempts.ShouldBe(54, "no call was refused and retried");
        (world.Time.GetUtcNow() - started).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(3.5),
            "seven Connect calls past the burst of five wait half a second each on the simulated clock");
    }

    /// <summary>Moves the fake clock on until the call, waiting for the rate limiter, completes.</summary>
    private static async Task ClockedAsync(SandboxTestWorld world, Task call)
    {
        for (var i = 0; i < 1_000 && !call.IsCompleted; i++)
        {
            world.Time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.WhenAny(call, Task.Delay(5));
        }

        await call;
    }
}
