using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Sandbox;

namespace SplitCcp.Tests.Core.Sandbox;

public sealed class SandboxFaultsTests
{
    /// <summary>One read per service, to see each service's own fault.</summary>
    public static TheoryData<string> Services => [.. s_reads.Keys];

    private static readonly Dictionary<string, Func<IAwsAccount, Task>> s_reads = new()
    {
        [AwsServices.Connect] = a => a.Connect.ListInstancesAsync(default),
        [AwsServices.Iam] = a => a.Iam.GetRoleAsync("x", default),
        [AwsServices.IdentityCenter] = a => a.IdentityCenterIn(a.Region).ListInstancesAsync(default),
        [AwsServices.IdentityStore] = a => a.IdentityCenterIn(a.Region).FindGroupIdAsync("d-1234567890", "Agents", default),
        [AwsServices.S3] = a => a.S3.BucketExistsAsync("x-bucket", default),
        [AwsServices.CloudFront] = a => a.CloudFront.FindOriginAccessControlAsync("x", default),
        [AwsServices.AppStream] = a => a.AppStream.DescribeFleetAsync("x", default),
        [AwsServices.Sts] = a => a.Sts.GetCallerIdentityAsync(default),
    };

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Throttling_OfEveryService_IsClassifiedThrottled(string service)
    {
        await using var world = await SandboxTestWorld.StartAsync(maxRetries: 0);
        world.Options.CurrentValue = new SandboxOptions { ThrottleRate = 1 };

        var ex = await Should.ThrowAsync<AwsCallException>(() => s_reads[service](world.Account));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.Throttled);
        ex.Failure.Service.ShouldBe(service);
        ex.Failure.IsTransient.ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task ServerErrors_OfEveryService_AreClassifiedServiceErrors(string service)
    {
        await using var world = await SandboxTestWorld.StartAsync(maxRetries: 0);
        foreach (var rate in new[] { 1.0, 0.4 })
        {
            // With a rate of 1 every attempt lands in the 503 half; with 0.4 and a throttle rate of 0.6, in either half.
            world.Options.CurrentValue = new SandboxOptions { ThrottleRate = 1 - rate, ServerErrorRate = rate };
            for (var i = 0; i < 5; i++)
            {
                var ex = await Should.ThrowAsync<AwsCallException>(() => s_reads[service](world.Account));
                if (ex.Failure.Kind != AwsFailureKind.Throttled)
                {
                    ex.Failure.Kind.ShouldBe(AwsFailureKind.ServiceError);
                }
            }
        }

        world.Faults.ServerErrors.ShouldBeGreaterThan(5);
    }

    [Fact]
    public async Task Rates_AreRoughlyHonoured_WithASeededRandom()
    {
        await using var world = await SandboxTestWorld.StartAsync(maxRetries: 0);
        world.Options.CurrentValue = new SandboxOptions { ThrottleRate = 0.2, ServerErrorRate = 0.1 };
        var kinds = new List<AwsFailureKind?>();

        for (var i = 0; i < 1000; i++)
        {
            try
            {
                await world.Account.Sts.GetCallerIdentityAsync(default);
                kinds.Add(null);
            }
            catch (AwsCallException ex)
            {
                kinds.Add(ex.Failure.Kind);
            }
        }

        kinds.Count(k => k == AwsFailureKind.Throttled).ShouldBeInRange(160, 240);
        kinds.Count(k => k == AwsFailureKind.ServiceError).ShouldBeInRange(70, 130);
        world.Faults.Attempts.ShouldBe(1000);
        (world.Faults.Throttles + world.Faults.ServerErrors).ShouldBe(kinds.Count(k => k is not null));
    }

    [Fact]
    public async Task Faults_ComeBeforeAnyChange_SoARetriedCreateHappensOnce()
    {
        await using var world = await SandboxTestWorld.StartAsync(maxRetries: 20);
        world.Options.CurrentValue = new SandboxOptions { ThrottleRate = 0.3, ServerErrorRate = 0.2 };

        // Were a fault to strike after the change, the retry would meet BucketAlreadyOwnedByYou or a duplicate alias.
        for (var i = 0; i < 10; i++)
        {
            await world.Account.S3.CreateBucketAsync($"acme-bucket-{i}", default);
        }

        await world.Account.Connect.CreateInstanceAsync("acme-retried", default);
        world.Faults.Attempts.ShouldBeGreaterThan(11);
        (await world.RowsAsync(SandboxKinds.S3Bucket)).Count.ShouldBe(10);
    }

    [Fact]
    public async Task AFailedAttempt_ChangesNothing_AndFaultsCanBeTurnedOffAtRunTime()
    {
        await using var world = await SandboxTestWorld.StartAsync(maxRetries: 0);
        world.Options.CurrentValue = new SandboxOptions { ThrottleRate = 1 };

        await Should.ThrowAsync<AwsCallException>(() => world.Account.S3.CreateBucketAsync("acme-pages", default));

        world.Options.CurrentValue = new SandboxOptions();
        (await world.Account.S3.BucketExistsAsync("acme-pages", default)).ShouldBeFalse();
        await world.Account.S3.CreateBucketAsync("acme-pages", default);
    }

    [Fact]
    public async Task Latency_IsSpentOnTheAppClock()
    {
        await using var world = await SandboxTestWorld.StartAsync();
        world.Options.CurrentValue = new SandboxOptions { Latency = TimeSpan.FromMilliseconds(30) };

        var call = world.Account.Sts.GetCallerIdentityAsync(default);
        await Task.Delay(50);
        call.IsCompleted.ShouldBeFalse();

        world.Time.Advance(TimeSpan.FromMilliseconds(30));
        (await call.WaitAsync(TimeSpan.FromSeconds(10))).Account.ShouldBe(world.Account.AccountId);
    }

    [Theory]
    [InlineData(-0.1, 0)]
    [InlineData(0.7, 0.7)]
    public void Options_RatesOutOfRange_AreInvalid(double throttle, double serverError)
    {
        var options = new SandboxOptions { ThrottleRate = throttle, ServerErrorRate = serverError };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true).ShouldBeFalse();
    }
}
