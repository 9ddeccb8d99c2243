using System.Net;
using System.Text.RegularExpressions;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Core.Sandbox;

/// <summary>Amazon Connect as the Sandbox simulates it: asynchronous instance creation, users, profiles, phone numbers, approved origins.</summary>
internal sealed partial class SandboxConnectGateway(SandboxAwsAccount account) : SandboxGateway(account), IConnectGateway
{
    public const string BasicRoutingProfile = "Basic Routing Profile";

    public static readonly IReadOnlyList<string> SecurityProfiles = ["Admin", "Agent", "CallCenterManager", "QualityAnalyst"];

    private const string InvalidParameter = "InvalidParameterException";
    private const string NotFound = "ResourceNotFoundException";

    private static readonly string[] s_phoneNumberTypes = ["DID", "TOLL_FREE", "UIFN", "SHARED", "THIRD_PARTY_DID", "THIRD_PARTY_TF", "SHORT_CODE"];

    /// <summary>Where the Sandbox finds numbers: a country's DID or toll-free ranges, by prefix after the country code.</summary>
    private static readonly PhoneNumberPlan[] s_phonePlans =
    [
        new("US", "DID", "+1", ["206", "312", "415", "512", "617", "646", "720"], 10),
        new("US", "TOLL_FREE", "+1", ["800", "833", "844", "855", "866", "877", "888"], 10),
        new("CA", "DID", "+1", ["416", "514", "604"], 10),
        new("GB", "DID", "+44", ["20", "113", "161"], 10),
        new("GB", "TOLL_FREE", "+44", ["800", "808"], 10),
        new("DE", "DID", "+49", ["30", "40", "69", "89"], 10),
        new("DE", "TOLL_FREE", "+49", ["800"], 10),
        new("AU", "DID", "+61", ["2", "3", "7"], 9),
        new("AU", "TOLL_FREE", "+61", ["1800"], 10),
    ];

    public Task<IReadOnlyList<ConnectInstance>> ListInstancesAsync(CancellationToken ct) =>
        CallAsync<IReadOnlyList<ConnectInstance>>(ConnectOperations.ListInstances, null, async s =>
            [.. (await s.ListAsync<ConnectInstanceRecord>(SandboxKinds.ConnectInstance)).Select(i => i.ToModel())], ct);

    public Task<ConnectInstance?> DescribeInstanceAsync(string instanceId, CancellationToken ct) =>
        CallAsync(ConnectOperations.DescribeInstance, instanceId, async s =>
            (await s.GetAsync<ConnectInstanceRecord>(SandboxKinds.ConnectInstance, instanceId))?.ToModel(), ct);

    public Task<string> CreateInstanceAsync(string instanceAlias, CancellationToken ct) =>
        CallAsync(ConnectOperations.CreateInstance, instanceAlias, async s =>
        {
            if (instanceAlias.Length is < 1 or > 45 || !AliasPattern().IsMatch(instanceAlias))
            {
                throw s.Fail(InvalidParameter, $"Instance alias '{instanceAlias}' must be 1 to 45 letters, digits and hyphens, and must not start with 'd-'.");
            }

            var instances = await s.ListAsync<ConnectInstanceRecord>(SandboxKinds.ConnectInstance);
            if (instances.Any(i => string.Equals(i.Alias, instanceAlias, StringComparison.OrdinalIgnoreCase)))
            {
                throw s.Fail("DuplicateResourceException", $"An instance with alias '{instanceAlias}' already exists.", HttpStatusCode.Conflict);
            }

            var id = Account.Random.NewId();
            var instance = new ConnectInstanceRecord(id, $"arn:aws:connect:{Region}:{AccountId}:instance/{id}", instanceAlias, ConnectInstance.CreationInProgress, "SAML",
                SandboxPending.After("status", ConnectInstance.Active, s.Now, Account.Options.InstanceCreation));
            await AddInstanceAsync(s, instance);
            return id;
        }, ct);

    public Task<IReadOnlyList<ConnectUserSummary>> ListUsersAsync(string instanceId, CancellationToken ct) =>
        CallAsync<IReadOnlyList<ConnectUserSummary>>(ConnectOperations.ListUsers, instanceId, async s =>
        {
            await RequireInstanceAsync(s, instanceId);
            return [.. (await s.ListAsync<ConnectUserRecord>(SandboxKinds.ConnectUser, $"{instanceId}/")).Select(u => new ConnectUserSummary(u.UserId, u.Username))];
        }, ct);

    public Task<ConnectUser?> DescribeUserAsync(string instanceId, string userId, CancellationToken ct) =>
        CallAsync(ConnectOperations.DescribeUser, userId, async s =>
        {
            await RequireInstanceAsync(s, instanceId);
            return (await s.ListAsync<ConnectUserRecord>(SandboxKinds.ConnectUser, $"{instanceId}/")).FirstOrDefault(u => u.UserId == userId)?.ToModel();
        }, ct);

    public Task<IReadOnlyList<ConnectNamedItem>> ListRoutingProfilesAsync(string instanceId, CancellationToken ct) =>
        ListProfilesAsync(ConnectOperations.ListRoutingProfiles, SandboxKinds.ConnectRoutingProfile, instanceId, ct);

    public Task<IReadOnlyList<ConnectNamedItem>> ListSecurityProfilesAsync(string instanceId, CancellationToken ct) =>
        ListProfilesAsync(ConnectOperations.ListSecurityProfiles, SandboxKinds.ConnectSecurityProfile, instanceId, ct);

    public Task<string> CreateUserAsync(string instanceId, string username, string firstName, string lastName, string routingProfileId, IReadOnlyList<string> securityProfileIds, CancellationToken ct) =>
        CallAsync(ConnectOperations.CreateUser, $"{instanceId}/{username}", async s =>
        {
            await RequireInstanceAsync(s, instanceId);
            if (username.Length is < 1 or > 64 || !UsernamePattern().IsMatch(username))
            {
                throw s.Fail(InvalidParameter, $"Username '{username}' must be 1 to 64 letters, digits and _ - . @.");
            }

            if (firstName.Length > 100 || lastName.Length > 100)
            {
                throw s.Fail(InvalidParameter, "FirstName and LastName are at most 100 characters.");
            }

            var users = await s.ListAsync<ConnectUserRecord>(SandboxKinds.ConnectUser, $"{instanceId}/");
            if (users.Any(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase)))
            {
                throw s.Fail("DuplicateResourceException", $"User '{username}' already exists in this instance.", HttpStatusCode.Conflict);
            }

            await RequireProfilesAsync(s, SandboxKinds.ConnectRoutingProfile, instanceId, [routingProfileId]);
            if (securityProfileIds.Count is < 1 or > 10)
            {
                throw s.Fail(InvalidParameter, "A user needs 1 to 10 security profiles.");
            }

            await RequireProfilesAsync(s, SandboxKinds.ConnectSecurityProfile, instanceId, securityProfileIds);
            var userId = Account.Random.NewId();
            await s.PutAsync(SandboxKinds.ConnectUser, $"{instanceId}/{username}", new ConnectUserRecord(userId, username, firstName, lastName, routingProfileId, securityProfileIds));
            return userId;
        }, ct);

    public Task UpdateUserIdentityInfoAsync(string instanceId, string userId, string firstName, string lastName, CancellationToken ct) =>
        CallAsync(ConnectOperations.UpdateUserIdentityInfo, $"{instanceId}/{userId}", async s =>
        {
            await RequireInstanceAsync(s, instanceId);
            var user = (await s.ListAsync<ConnectUserRecord>(SandboxKinds.ConnectUser, $"{instanceId}/")).FirstOrDefault(u => u.UserId == userId)
                ?? throw s.Fail(NotFound, $"User {userId} does not exist in instance {instanceId}.", HttpStatusCode.NotFound);
            await s.PutAsync(SandboxKinds.ConnectUser, $"{instanceId}/{user.Username}", user with { FirstName = firstName, LastName = lastName });
        }, ct);

    public Task<IReadOnlyList<ConnectPhoneNumberSummary>> ListPhoneNumbersAsync(string instanceArn, CancellationToken ct) =>
        CallAsync<IReadOnlyList<ConnectPhoneNumberSummary>>(ConnectOperations.ListPhoneNumbersV2, instanceArn, async s =>
            [.. (await s.ListAsync<ConnectPhoneNumberRecord>(SandboxKinds.ConnectPhoneNumber)).Where(p => p.TargetArn == instanceArn).Select(p => p.ToSummary())], ct);

    public Task<IReadOnlyList<string>> SearchAvailablePhoneNumbersAsync(string instanceArn, string countryCode, string type, int max, CancellationToken ct) =>
        CallAsync<IReadOnlyList<string>>(ConnectOperations.SearchAvailablePhoneNumbers, instanceArn, async s =>
        {
            await RequireInstanceByArnAsync(s, instanceArn);
            if (!s_phoneNumberTypes.Contains(type) || max is < 1 or > 10)
            {
                throw s.Fail(InvalidParameter, "PhoneNumberType must be one of " + string.Join(", ", s_phoneNumberTypes) + ", and MaxResults 1 to 10.");
            }

            var plan = s_phonePlans.FirstOrDefault(p => p.CountryCode == countryCode && p.Type == type);
            if (plan is null)
            {
                return [];
            }

            var taken = (await s.ListAsync<ConnectPhoneNumberRecord>(SandboxKinds.ConnectPhoneNumber)).Select(p => p.Number).ToHashSet();
            var found = new List<string>();
            while (found.Count < max)
            {
                var number = plan.NewNumber(Account.Random);
                if (!taken.Contains(number) && !found.Contains(number))
                {
                    found.Add(number);
                }
            }

            return found;
        }, ct);

    public Task<string> ClaimPhoneNumberAsync(string instanceArn, string phoneNumber, string clientToken, CancellationToken ct) =>
        CallAsync(ConnectOperations.ClaimPhoneNumber, phoneNumber, async s =>
        {
            var instance = await RequireInstanceByArnAsync(s, instanceArn);
            var numbers = await s.ListAsync<ConnectPhoneNumberRecord>(SandboxKinds.ConnectPhoneNumber);
            if (clientToken.Length > 0 && numbers.FirstOrDefault(p => p.ClientToken == clientToken) is { } earlier)
            {
                return earlier.Number == phoneNumber && earlier.TargetArn == instanceArn
                    ? earlier.PhoneNumberId
                    : throw s.Fail("IdempotencyException", "The client token was already used for a different request.", HttpStatusCode.Conflict);
            }

            var plan = s_phonePlans.FirstOrDefault(p => p.Matches(phoneNumber))
                ?? throw s.Fail(InvalidParameter, $"{phoneNumber} is not an E.164 number that can be claimed.");
            if (numbers.Any(p => p.Number == phoneNumber))
            {
                throw s.Fail("ResourceInUseException", $"{phoneNumber} is already claimed.", HttpStatusCode.Conflict);
            }

            // Over the instance's limit AWS still accepts the claim, and ends it FAILED with a message saying why.
            var limit = Account.Options.PhoneNumbersPerInstance;
            var held = numbers.Count(p => p.TargetArn == instanceArn && p.Status != ConnectPhoneNumber.Failed);
            var failure = held >= limit ? $"Instance {instance.Id} has reached its limit of {limit} claimed phone numbers." : null;
            var id = Account.Random.NewId();
            await s.PutAsync(SandboxKinds.ConnectPhoneNumber, id, new ConnectPhoneNumberRecord(
                id, phoneNumber, plan.CountryCode, plan.Type, ConnectPhoneNumber.InProgress, instanceArn, clientToken,
                SandboxPending.After("status", failure is null ? ConnectPhoneNumber.Claimed : ConnectPhoneNumber.Failed, s.Now, Account.Options.PhoneNumberClaim),
                failure));
            return id;
        }, ct);

    public Task<ConnectPhoneNumber?> DescribePhoneNumberAsync(string phoneNumberId, CancellationToken ct) =>
        CallAsync(ConnectOperations.DescribePhoneNumber, phoneNumberId, async s =>
            (await s.GetAsync<ConnectPhoneNumberRecord>(SandboxKinds.ConnectPhoneNumber, phoneNumberId))?.ToModel(), ct);

    public Task<IReadOnlyList<string>> ListApprovedOriginsAsync(string instanceId, CancellationToken ct) =>
        CallAsync<IReadOnlyList<string>>(ConnectOperations.ListApprovedOrigins, instanceId, async s =>
        {
            await RequireInstanceAsync(s, instanceId);
            return [.. (await s.ListAsync<ConnectApprovedOriginRecord>(SandboxKinds.ConnectApprovedOrigin, $"{instanceId}|")).Select(o => o.Origin)];
        }, ct);

    public Task AssociateApprovedOriginAsync(string instanceId, string origin, CancellationToken ct) =>
        CallAsync(ConnectOperations.AssociateApprovedOrigin, $"{instanceId}|{origin}", async s =>
        {
            await RequireInstanceAsync(s, instanceId);
            if (origin.Length > 267 || !Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
                || uri.UserInfo.Length > 0 || !string.Equals(uri.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase))
            {
                throw s.Fail(InvalidParameter, $"'{origin}' is not an origin: use a scheme and host with no path, such as https://d111111abcdef8.cloudfront.net.");
            }

            // Associating an origin that is already there succeeds and changes nothing, as in AWS.
            await s.PutAsync(SandboxKinds.ConnectApprovedOrigin, $"{instanceId}|{origin}", new ConnectApprovedOriginRecord(origin));
        }, ct);

    /// <summary>Stores an instance with the routing and security profiles AWS creates in every new instance.</summary>
    internal static async Task AddInstanceAsync(SandboxSession s, ConnectInstanceRecord instance)
    {
        await s.PutAsync(SandboxKinds.ConnectInstance, instance.Id, instance);
        async Task AddProfileAsync(string kind, string name)
        {
            var profileId = SandboxConnect.DeterministicGuid(s.TenantId, $"{instance.Id}/{kind}/{name}").ToString();
            await s.PutAsync(kind, $"{instance.Id}/{name}", new ConnectProfileRecord(profileId, $"{instance.Arn}/{(kind == SandboxKinds.ConnectRoutingProfile ? "routing-profile" : "security-profile")}/{profileId}", name));
        }

        await AddProfileAsync(SandboxKinds.ConnectRoutingProfile, BasicRoutingProfile);
        foreach (var name in SecurityProfiles)
        {
            await AddProfileAsync(SandboxKinds.ConnectSecurityProfile, name);
        }
    }

    private Task<IReadOnlyList<ConnectNamedItem>> ListProfilesAsync(AwsOperation operation, string kind, string instanceId, CancellationToken ct) =>
        CallAsync<IReadOnlyList<ConnectNamedItem>>(operation, instanceId, async s =>
        {
            await RequireInstanceAsync(s, instanceId);
            return [.. (await s.ListAsync<ConnectProfileRecord>(kind, $"{instanceId}/")).Select(p => new ConnectNamedItem(p.ProfileId, p.Name))];
        }, ct);

    private static async Task RequireInstanceAsync(SandboxSession s, string instanceId)
    {
        if (!await s.ExistsAsync(SandboxKinds.ConnectInstance, instanceId))
        {
            throw s.Fail(NotFound, $"Instance {instanceId} does not exist.", HttpStatusCode.NotFound);
        }
    }

    private static async Task<ConnectInstanceRecord> RequireInstanceByArnAsync(SandboxSession s, string instanceArn) =>
        (await s.ListAsync<ConnectInstanceRecord>(SandboxKinds.ConnectInstance)).FirstOrDefault(i => i.Arn == instanceArn)
            ?? throw s.Fail(NotFound, $"Instance {instanceArn} does not exist.", HttpStatusCode.NotFound);

    private static async Task RequireProfilesAsync(SandboxSession s, string kind, string instanceId, IEnumerable<string> profileIds)
    {
        var known = (await s.ListAsync<ConnectProfileRecord>(kind, $"{instanceId}/")).Select(p => p.ProfileId).ToHashSet();
        if (profileIds.FirstOrDefault(id => !known.Contains(id)) is { } missing)
        {
            throw s.Fail(NotFound, $"Profile {missing} does not exist in instance {instanceId}.", HttpStatusCode.NotFound);
        }
    }

    [GeneratedRegex(@"^(?!d-)([\da-zA-Z]+)([-]*[\da-zA-Z])*\z")]
    private static partial Regex AliasPattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_.@-]+\z")]
    private static partial Regex UsernamePattern();

    private sealed record PhoneNumberPlan(string CountryCode, string Type, string Dial, IReadOnlyList<string> Prefixes, int NationalLength)
    {
        public string NewNumber(SandboxRandom random)
        {
            var prefix = Prefixes[(int)(random.NextDouble() * Prefixes.Count)];

            // North American subscriber numbers cannot start with 0 or 1.
            var first = Dial == "+1" ? ((int)(2 + (random.NextDouble() * 8))).ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
            return Dial + prefix + first + random.DigitString(NationalLength - prefix.Length - first.Length);
        }

        public bool Matches(string number) =>
            number.Length == Dial.Length + NationalLength && number.StartsWith(Dial, StringComparison.Ordinal) && number.Skip(1).All(char.IsAsciiDigit)
            && Prefixes.Any(p => number.AsSpan(Dial.Length).StartsWith(p, StringComparison.Ordinal));
    }
}

internal sealed record ConnectInstanceRecord(string Id, string Arn, string Alias, string Status, string IdentityManagementType,
    SandboxPending? Pending = null)
{
    public ConnectInstance ToModel() => new(Id, Arn, Alias, Status, IdentityManagementType);
}

internal sealed record ConnectUserRecord(string UserId, string Username, string? FirstName, string? LastName, string RoutingProfileId, IReadOnlyList<string> SecurityProfileIds)
{
    public ConnectUser ToModel() => new(UserId, Username, FirstName, LastName) { RoutingProfileId = RoutingProfileId, SecurityProfileIds = SecurityProfileIds };
}

internal sealed record ConnectProfileRecord(string ProfileId, string Arn, string Name);

/// <summary>A claimed number; <see cref="FailureMessage"/> is what DescribePhoneNumber says once the claim has FAILED.</summary>
internal sealed record ConnectPhoneNumberRecord(string PhoneNumberId, string Number, string CountryCode, string Type, string Status, string TargetArn, string ClientToken,
    SandboxPending? Pending = null, string? FailureMessage = null)
{
    public ConnectPhoneNumber ToModel() => new(PhoneNumberId, Number, CountryCode, Type, Status, Status == ConnectPhoneNumber.Failed ? FailureMessage : null);

    public ConnectPhoneNumberSummary ToSummary() => new(PhoneNumberId, Number, CountryCode, Type);
}

internal sealed record ConnectApprovedOriginRecord(string Origin);
