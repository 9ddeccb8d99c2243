using System.Text;
using System.Text.RegularExpressions;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Core.Sandbox;

/// <summary>
/// AppStream 2.0 as the Sandbox simulates it: image builders that start for a while, AWS's base images (seeded) and images
/// captured through <see cref="SandboxConsole"/>, fleets created STOPPED that start and stop over time, stacks, and the
/// default quota of 10 builders, fleets and stacks.
/// </summary>
internal sealed partial class SandboxAppStreamGateway(SandboxAwsAccount account) : SandboxGateway(account), IAppStreamGateway
{
    public const string Pending = "PENDING";
    public const string Available = "AVAILABLE";
    private const int Quota = 10;
    private const string NotFound = "ResourceNotFoundException";
    private const string NotPermitted = "OperationNotPermittedException";
    private const string ConcurrentModification = "ConcurrentModificationException";

    public Task<AppStreamImageBuilder?> DescribeImageBuilderAsync(string name, CancellationToken ct) =>
        CallAsync(AppStreamOperations.DescribeImageBuilders, name, async s =>
            (await s.GetAsync<ImageBuilderRecord>(SandboxKinds.AppStreamImageBuilder, name))?.ToModel(), ct);

    public Task<AppStreamImageBuilder> CreateImageBuilderAsync(ImageBuilderRequest request, CancellationToken ct) =>
        CallAsync(AppStreamOperations.CreateImageBuilder, request.Name, async s =>
        {
            await RequireNewAsync(s, SandboxKinds.AppStreamImageBuilder, request.Name, request.InstanceType, Region);
            await RequireAvailableImageAsync(s, request.BaseImageName);
            var builder = new ImageBuilderRecord(request.Name, Arn("image-builder", request.Name), Pending, request.InstanceType, request.BaseImageName,
                SandboxPending.After("state", AppStreamFleet.Running, s.Now, Account.Options.ImageBuilderStart));
            await s.PutAsync(SandboxKinds.AppStreamImageBuilder, request.Name, builder);
            return builder.ToModel();
        }, ct);

    public Task<AppStreamImage?> DescribeImageAsync(string name, CancellationToken ct) =>
        CallAsync(AppStreamOperations.DescribeImages, name, async s =>
            (await s.GetAsync<ImageRecord>(SandboxKinds.AppStreamImage, name))?.ToModel(), ct);

    public Task<AppStreamFleet?> DescribeFleetAsync(string name, CancellationToken ct) =>
        CallAsync(AppStreamOperations.DescribeFleets, name, async s =>
            (await s.GetAsync<FleetRecord>(SandboxKinds.AppStreamFleet, name))?.ToModel(), ct);

    public Task<AppStreamFleet> CreateFleetAsync(FleetRequest request, CancellationToken ct) =>
        CallAsync(AppStreamOperations.CreateFleet, request.Name, async s =>
        {
            await RequireNewAsync(s, SandboxKinds.AppStreamFleet, request.Name, request.InstanceType, Region);
            if (request.FleetType is not ("ALWAYS_ON" or "ON_DEMAND") || request.DesiredCapacity < 0)
            {
                throw s.Fail("InvalidParameterCombinationException", "FleetType must be ALWAYS_ON or ON_DEMAND with a desired capacity of 0 or more.");
            }

            await RequireAvailableImageAsync(s, request.ImageName);
            var fleet = new FleetRecord(request.Name, Arn("fleet", request.Name), AppStreamFleet.Stopped, request.FleetType, request.InstanceType, request.ImageName, request.DesiredCapacity);
            await s.PutAsync(SandboxKinds.AppStreamFleet, request.Name, fleet);
            return fleet.ToModel();
        }, ct);

    public Task UpdateFleetAsync(string name, string? imageName, string? instanceType, int? desiredCapacity, CancellationToken ct) =>
        CallAsync(AppStreamOperations.UpdateFleet, name, async s =>
        {
            var fleet = await RequireAsync<FleetRecord>(s, SandboxKinds.AppStreamFleet, name);
            if (fleet.State is AppStreamFleet.Starting or AppStreamFleet.Stopping)
            {
                throw s.Fail(ConcurrentModification, $"Fleet {name} is {fleet.State} and cannot be updated until it is RUNNING or STOPPED.");
            }

            // A running fleet takes a new image or capacity; its instance type only changes while it is stopped.
            if (fleet.State == AppStreamFleet.Running && instanceType is not null && instanceType != fleet.InstanceType)
            {
                throw s.Fail(NotPermitted, $"Fleet {name} is RUNNING: stop it before changing its instance type.");
            }

            if (imageName is not null)
            {
                await RequireAvailableImageAsync(s, imageName);
            }

            await s.PutAsync(SandboxKinds.AppStreamFleet, name, fleet with
            {
                ImageName = imageName ?? fleet.ImageName,
                InstanceType = instanceType ?? fleet.InstanceType,
                DesiredCapacity = desiredCapacity ?? fleet.DesiredCapacity,
            });
        }, ct);

    public Task StartFleetAsync(string name, CancellationToken ct) =>
        ChangeFleetStateAsync(AppStreamOperations.StartFleet, name, from: AppStreamFleet.Stopped, via: AppStreamFleet.Starting, to: AppStreamFleet.Running, o => o.FleetStart, ct);

    public Task StopFleetAsync(string name, CancellationToken ct) =>
        ChangeFleetStateAsync(AppStreamOperations.StopFleet, name, from: AppStreamFleet.Running, via: AppStreamFleet.Stopping, to: AppStreamFleet.Stopped, o => o.FleetStop, ct);

    public Task<AppStreamStackInfo?> DescribeStackAsync(string name, CancellationToken ct) =>
        CallAsync(AppStreamOperations.DescribeStacks, name, async s =>
            (await s.GetAsync<StackRecord>(SandboxKinds.AppStreamStack, name))?.ToModel(), ct);

    public Task<AppStreamStackInfo> CreateStackAsync(string name, CancellationToken ct) =>
        CallAsync(AppStreamOperations.CreateStack, name, async s =>
        {
            await RequireNewAsync(s, SandboxKinds.AppStreamStack, name, instanceType: null, Region);
            var stack = new StackRecord(name, Arn("stack", name));
            await s.PutAsync(SandboxKinds.AppStreamStack, name, stack);
            return stack.ToModel();
        }, ct);

    public Task<IReadOnlyList<string>> ListAssociatedFleetsAsync(string stackName, CancellationToken ct) =>
        CallAsync<IReadOnlyList<string>>(AppStreamOperations.ListAssociatedFleets, stackName, async s =>
            [.. (await s.ListAsync<FleetAssociationRecord>(SandboxKinds.AppStreamFleetAssociation, $"{stackName}|")).Select(a => a.FleetName)], ct);

    public Task AssociateFleetAsync(string fleetName, string stackName, CancellationToken ct) =>
        CallAsync(AppStreamOperations.AssociateFleet, $"{stackName}|{fleetName}", async s =>
        {
            await RequireAsync<FleetRecord>(s, SandboxKinds.AppStreamFleet, fleetName);
            await RequireAsync<StackRecord>(s, SandboxKinds.AppStreamStack, stackName);
            await s.PutAsync(SandboxKinds.AppStreamFleetAssociation, $"{stackName}|{fleetName}", new FleetAssociationRecord(stackName, fleetName));
        }, ct);

    public Task<AppStreamStreamingUrl> CreateStreamingUrlAsync(string stackName, string fleetName, string userId, TimeSpan validity, CancellationToken ct) =>
        CallAsync(AppStreamOperations.CreateStreamingUrl, $"{stackName}|{fleetName}", async s =>
        {
            var fleet = await RequireAsync<FleetRecord>(s, SandboxKinds.AppStreamFleet, fleetName);
            await RequireAsync<StackRecord>(s, SandboxKinds.AppStreamStack, stackName);
            if (!await s.ExistsAsync(SandboxKinds.AppStreamFleetAssociation, $"{stackName}|{fleetName}"))
            {
                throw s.Fail("InvalidParameterCombinationException", $"Fleet {fleetName} is not associated with stack {stackName}.");
            }

            if (userId.Length is < 2 or > 32 || !UserIdPattern().IsMatch(userId))
            {
                throw s.Fail("ValidationException", "UserId must be 2 to 32 characters of letters, digits and + = , . @ _ -.");
            }

            return fleet.State == AppStreamFleet.Running
                ? StreamingUrl(s, validity, $"stack/{stackName}/fleet/{fleetName}/user/{userId}")
                : throw s.Fail(NotPermitted, $"Fleet {fleetName} is {fleet.State}; it must be RUNNING to stream.");
        }, ct);

    internal static string PrivateImageArn(string region, string accountId, string name) => $"arn:aws:appstream:{region}:{accountId}:image/{name}";

    private string Arn(string type, string name) => $"arn:aws:appstream:{Region}:{AccountId}:{type}/{name}";

    private Task ChangeFleetStateAsync(AwsOperation operation, string name, string from, string via, string to, Func<SandboxOptions, TimeSpan> duration, CancellationToken ct) =>
        CallAsync(operation, name, async s =>
        {
            var fleet = await RequireAsync<FleetRecord>(s, SandboxKinds.AppStreamFleet, name);
            if (fleet.State == from)
            {
                await s.PutAsync(SandboxKinds.AppStreamFleet, name, fleet with { State = via, Pending = SandboxPending.After("state", to, s.Now, duration(Account.Options)) });
            }
            else if (fleet.State != via && fleet.State != to)
            {
                throw s.Fail(ConcurrentModification, $"Fleet {name} is {fleet.State}; wait until it is {from}.");
            }
        }, ct);

    /// <summary>A well-formed (not signed) streaming URL, valid from 1 second to 7 days as AWS allows.</summary>
    private AppStreamStreamingUrl StreamingUrl(SandboxSession s, TimeSpan validity, string target)
    {
        if (validity < TimeSpan.FromSeconds(1) || validity > TimeSpan.FromDays(7))
        {
            throw s.Fail("ValidationException", "Validity must be between 1 and 604800 seconds.");
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds((s.Now + validity).ToUnixTimeSeconds());
        var parameters = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{target};expires={expires.ToUnixTimeSeconds()}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new($"https://appstream2.{Region}.aws.amazon.com/authenticate?parameters={parameters}&signature={Account.Random.LowerAlnum(43)}", expires);
    }

    private static Task<T> RequireAsync<T>(SandboxSession s, string kind, string name)
        where T : class =>
        s.RequireAsync<T>(kind, name, NotFound, $"The {kind["appstream.".Length..]} {name} does not exist.");

    /// <summary>A new builder, fleet or stack: a valid name not yet used, within the quota, with a valid instance type.</summary>
    private static async Task RequireNewAsync(SandboxSession s, string kind, string name, string? instanceType, string region)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw s.Fail("ValidationException", $"The name '{name}' must be 1 to 100 letters, digits and _ . -, starting with a letter or digit.");
        }

        if (instanceType is not null && !InstanceTypePattern().IsMatch(instanceType))
        {
            throw s.Fail("InvalidParameterCombinationException", $"'{instanceType}' is not an AppStream instance type such as stream.standard.medium.");
        }

        var existing = await s.ListAsync<NamedRecord>(kind);
        if (existing.Any(e => e.Name == name))
        {
            throw s.Fail("ResourceAlreadyExistsException", $"The {kind["appstream.".Length..]} {name} already exists.");
        }

        if (existing.Count >= Quota)
        {
            throw s.Fail("LimitExceededException", $"The requested limit exceeds the permitted limit for an account: {Quota} per {kind["appstream.".Length..]}.", region: region);
        }
    }

    private static async Task RequireAvailableImageAsync(SandboxSession s, string imageName)
    {
        var image = await RequireAsync<ImageRecord>(s, SandboxKinds.AppStreamImage, imageName);
        if (image.State != Available)
        {
            throw s.Fail("ResourceNotAvailableException", $"Image {imageName} is {image.State}, not AVAILABLE.");
        }
    }

    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,99}\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^stream\.[a-z0-9-]+\.[a-z0-9]+\z")]
    private static partial Regex InstanceTypePattern();

    [GeneratedRegex(@"^[\w+=,.@-]+\z")]
    private static partial Regex UserIdPattern();
}

internal sealed record ImageBuilderRecord(string Name, string Arn, string State, string InstanceType, string? ImageName, SandboxPending? Pending = null)
{
    public AppStreamImageBuilder ToModel() => new(Name, Arn, State, InstanceType, ImageName);
}

internal sealed record ImageRecord(string Name, string Arn, string State)
{
    public AppStreamImage ToModel() => new(Name, Arn, State);
}

internal sealed record FleetRecord(string Name, string Arn, string State, string FleetType, string InstanceType, string? ImageName, int DesiredCapacity, SandboxPending? Pending = null)
{
    public AppStreamFleet ToModel() => new(Name, Arn, State, FleetType, InstanceType, ImageName, DesiredCapacity);
}

internal sealed record StackRecord(string Name, string Arn)
{
    public AppStreamStackInfo ToModel() => new(Name, Arn);
}

internal sealed record FleetAssociationRecord(string StackName, string FleetName);

/// <summary>Any AppStream object read for its name alone.</summary>
internal sealed record NamedRecord(string Name);
