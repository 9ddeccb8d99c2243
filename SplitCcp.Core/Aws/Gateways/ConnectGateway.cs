using System.Text.Json;
using System.Text.Json.Nodes;
using SplitCcp.Core.Aws.Signed;

namespace SplitCcp.Core.Aws.Gateways;

/// <summary>Amazon Connect over REST-JSON through the signed client. Swap for AWSSDK.Connect here once it can be restored.</summary>
public sealed class ConnectGateway(AwsSignedClient client, IAwsCaller caller) : IConnectGateway
{
    private readonly AwsRestJson _api = new(client, caller, AwsSignedService.Connect);

    public Task<IReadOnlyList<ConnectInstance>> ListInstancesAsync(CancellationToken ct) =>
        AwsPaging.AllAsync(async token =>
        {
            var page = await GetAsync(ConnectOperations.ListInstances, null, AwsPath.Query("/instance", ("maxResults", "10"), ("nextToken", token)), ct);
            return (page.Items("InstanceSummaryList").Select(ToInstance), page.Str("NextToken"));
        });

    public Task<ConnectInstance?> DescribeInstanceAsync(string instanceId, CancellationToken ct) =>
        GetAsync(ConnectOperations.DescribeInstance, Instance(instanceId), AwsPath.Of("/instance/{0}", instanceId), ct)
            .OrNullIfNotFound(answer => answer.Member("Instance") is { } instance ? ToInstance(instance) : null);

    public async Task<string> CreateInstanceAsync(string instanceAlias, CancellationToken ct)
    {
        var request = new JsonObject
        {
            ["ClientToken"] = Guid.NewGuid().ToString(),
            ["IdentityManagementType"] = "SAML",
            ["InstanceAlias"] = instanceAlias,
            ["InboundCallsEnabled"] = true,
            ["OutboundCallsEnabled"] = true,
        };
        var created = await _api.CallAsync(ConnectOperations.CreateInstance, $"instance {instanceAlias}", HttpMethod.Put, "/instance", request, ct);
        return created.Required("Id");
    }

    public async Task<IReadOnlyList<ConnectUserSummary>> ListUsersAsync(string instanceId, CancellationToken ct) =>
        [.. (await ListSummariesAsync(ConnectOperations.ListUsers, "/users-summary/{0}", "UserSummaryList", instanceId, ct))
            .Select(u => new ConnectUserSummary(u.Required("Id"), u.Required("Username")))];

    public async Task<ConnectUser?> DescribeUserAsync(string instanceId, string userId, CancellationToken ct) =>
        (await DescribeAsync(instanceId, userId, ct))?.User;

    public async Task<IReadOnlyList<ConnectNamedItem>> ListRoutingProfilesAsync(string instanceId, CancellationToken ct) =>
        ToNamedItems(await ListSummariesAsync(ConnectOperations.ListRoutingProfiles, "/routing-profiles-summary/{0}", "RoutingProfileSummaryList", instanceId, ct));

    public async Task<IReadOnlyList<ConnectNamedItem>> ListSecurityProfilesAsync(string instanceId, CancellationToken ct) =>
        ToNamedItems(await ListSummariesAsync(ConnectOperations.ListSecurityProfiles, "/security-profiles-summary/{0}", "SecurityProfileSummaryList", instanceId, ct));

    public async Task<string> CreateUserAsync(
        string instanceId, string username, string firstName, string lastName, string routingProfileId, IReadOnlyList<string> securityProfileIds, CancellationToken ct)
    {
        // A SAML instance takes no password: the agent signs in through the identity provider.
        var request = new JsonObject
        {
            ["Username"] = username,
            ["IdentityInfo"] = new JsonObject { ["FirstName"] = firstName, ["LastName"] = lastName },
            ["PhoneConfig"] = new JsonObject { ["PhoneType"] = "SOFT_PHONE" },
            ["SecurityProfileIds"] = new JsonArray([.. securityProfileIds.Select(id => JsonValue.Create(id))]),
            ["RoutingProfileId"] = routingProfileId,
        };
        var created = await _api.CallAsync(ConnectOperations.CreateUser, $"user {username}", HttpMethod.Put, AwsPath.Of("/users/{0}", instanceId), request, ct);
        return created.Required("UserId");
    }

    public async Task UpdateUserIdentityInfoAsync(string instanceId, string userId, string firstName, string lastName, CancellationToken ct)
    {
        // IdentityInfo is replaced as a whole: keep what the user has besides the names (their e-mail addresses, mobile).
        var described = await DescribeAsync(instanceId, userId, ct);
        var info = described?.IdentityInfo is { } existing ? JsonNode.Parse(existing.GetRawText())!.AsObject() : [];
        info["FirstName"] = firstName;
        info["LastName"] = lastName;
        await _api.CallAsync(ConnectOperations.UpdateUserIdentityInfo, $"user {userId}", HttpMethod.Post,
            AwsPath.Of("/users/{0}/{1}/identity-info", instanceId, userId), new JsonObject { ["IdentityInfo"] = info }, ct);
    }

    public Task<IReadOnlyList<ConnectPhoneNumberSummary>> ListPhoneNumbersAsync(string instanceArn, CancellationToken ct) =>
        AwsPaging.AllAsync(async token =>
        {
            var request = new JsonObject { ["TargetArn"] = instanceArn, ["MaxResults"] = 1000, ["NextToken"] = token };
            var page = await _api.CallAsync(ConnectOperations.ListPhoneNumbersV2, instanceArn, HttpMethod.Post, "/phone-number/list", request, ct);
            return (page.Items("ListPhoneNumbersSummaryList").Select(n =>
                new ConnectPhoneNumberSummary(n.Required("PhoneNumberId"), n.Str("PhoneNumber") ?? "", n.Str("PhoneNumberCountryCode") ?? "", n.Str("PhoneNumberType") ?? "")),
                page.Str("NextToken"));
        });

    public async Task<IReadOnlyList<string>> SearchAvailablePhoneNumbersAsync(string instanceArn, string countryCode, string type, int max, CancellationToken ct)
    {
        var numbers = new List<string>();
        string? token = null;
        do
        {
            var request = new JsonObject
            {
                ["TargetArn"] = instanceArn,
                ["PhoneNumberCountryCode"] = countryCode,
                ["PhoneNumberType"] = type,
                ["MaxResults"] = Math.Clamp(max - numbers.Count, 1, 10),
                ["NextToken"] = token,
            };
            var page = await _api.CallAsync(ConnectOperations.SearchAvailablePhoneNumbers, instanceArn, HttpMethod.Post, "/phone-number/search-available", request, ct);
            numbers.AddRange(page.Items("AvailableNumbersList").Select(n => n.Required("PhoneNumber")));
            token = page.Str("NextToken");
        }
        while (token is not null && numbers.Count < max);

        return numbers.Take(max).ToList();
    }

    public async Task<string> ClaimPhoneNumberAsync(string instanceArn, string phoneNumber, string clientToken, CancellationToken ct)
    {
        var request = new JsonObject { ["TargetArn"] = instanceArn, ["PhoneNumber"] = phoneNumber, ["ClientToken"] = clientToken };
        var claimed = await _api.CallAsync(ConnectOperations.ClaimPhoneNumber, phoneNumber, HttpMethod.Post, "/phone-number/claim", request, ct);
        return claimed.Required("PhoneNumberId");
    }

    public Task<ConnectPhoneNumber?> DescribePhoneNumberAsync(string phoneNumberId, CancellationToken ct) =>
        GetAsync(ConnectOperations.DescribePhoneNumber, $"phone number {phoneNumberId}", AwsPath.Of("/phone-number/{0}", phoneNumberId), ct)
            .OrNullIfNotFound(answer => answer.Member("ClaimedPhoneNumberSummary") is { } number ? ToPhoneNumber(number) : null);

    public Task<IReadOnlyList<string>> ListApprovedOriginsAsync(string instanceId, CancellationToken ct) =>
        AwsPaging.AllAsync(async token =>
        {
            var path = AwsPath.Query(AwsPath.Of("/instance/{0}/approved-origins", instanceId), ("maxResults", "25"), ("nextToken", token));
            var page = await GetAsync(ConnectOperations.ListApprovedOrigins, Instance(instanceId), path, ct);
            return (page.Items("Origins").Select(o => o.GetString()!), page.Str("NextToken"));
        });

    public Task AssociateApprovedOriginAsync(string instanceId, string origin, CancellationToken ct) =>
        _api.CallAsync(ConnectOperations.AssociateApprovedOrigin, $"approved origin {origin}", HttpMethod.Put,
            AwsPath.Of("/instance/{0}/approved-origin", instanceId),
            new JsonObject { ["Origin"] = origin, ["ClientToken"] = Guid.NewGuid().ToString() }, ct);

    private Task<JsonElement> GetAsync(AwsOperation operation, string? resource, string path, CancellationToken ct) =>
        _api.CallAsync(operation, resource, HttpMethod.Get, path, null, ct);

    private Task<DescribedUser?> DescribeAsync(string instanceId, string userId, CancellationToken ct) =>
        GetAsync(ConnectOperations.DescribeUser, $"user {userId}", AwsPath.Of("/users/{0}/{1}", instanceId, userId), ct)
            .OrNullIfNotFound(answer => answer.Member("User") is { } user ? DescribedUser.From(user) : null);

    /// <summary>Every page of one of Connect's "…-summary/{InstanceId}" listings.</summary>
    private Task<IReadOnlyList<JsonElement>> ListSummariesAsync(AwsOperation operation, string pathTemplate, string listName, string instanceId, CancellationToken ct) =>
        AwsPaging.AllAsync(async token =>
        {
            var path = AwsPath.Query(AwsPath.Of(pathTemplate, instanceId), ("maxResults", "1000"), ("nextToken", token));
            var page = await GetAsync(operation, Instance(instanceId), path, ct);
            return (page.Items(listName), page.Str("NextToken"));
        });

    private static string Instance(string instanceId) => $"Connect instance {instanceId}";

    private static ConnectInstance ToInstance(JsonElement i) =>
        new(i.Required("Id"), i.Required("Arn"), i.Str("InstanceAlias") ?? "", i.Str("InstanceStatus") ?? "", i.Str("IdentityManagementType") ?? "");

    private static List<ConnectNamedItem> ToNamedItems(IEnumerable<JsonElement> items) =>
        [.. items.Select(i => new ConnectNamedItem(i.Required("Id"), i.Str("Name") ?? ""))];

    /// <summary>A ClaimedPhoneNumberSummary; its PhoneNumberStatus is what the portal relies on, so an answer without one is broken.</summary>
    private static ConnectPhoneNumber ToPhoneNumber(JsonElement n)
    {
        var status = n.Member("PhoneNumberStatus") ?? throw new InvalidDataException("The AWS answer has no PhoneNumberStatus.");
        return new(n.Required("PhoneNumberId"), n.Str("PhoneNumber") ?? "", n.Str("PhoneNumberCountryCode") ?? "", n.Str("PhoneNumberType") ?? "",
            status.Required("Status"), status.Str("Message"));
    }

    /// <summary>A DescribeUser answer: the user, and the identity info as AWS holds it (UpdateUserIdentityInfo replaces it whole).</summary>
    private sealed record DescribedUser(ConnectUser User, JsonElement? IdentityInfo)
    {
        public static DescribedUser From(JsonElement user)
        {
            var info = user.Member("IdentityInfo");
            return new(new ConnectUser(user.Required("Id"), user.Required("Username"), info?.Str("FirstName"), info?.Str("LastName"))
            {
                RoutingProfileId = user.Str("RoutingProfileId"),
                SecurityProfileIds = [.. user.Items("SecurityProfileIds").Select(id => id.GetString()!)],
            }, info);
        }
    }
}
