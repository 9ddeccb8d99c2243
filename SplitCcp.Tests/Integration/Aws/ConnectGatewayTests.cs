using System.Text.Json;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Tests.Integration.Aws;

/// <summary>
/// ConnectGateway on the wire (REST-JSON): instances against moto_server, which serves only those; users, profiles, phone
/// numbers and approved origins against the signature-checking stub, in the shapes of the Connect API reference.
/// </summary>
public sealed class ConnectGatewayTests(MotoServer moto) : StubbedGatewayTests, IClassFixture<MotoServer>
{
    private const string InstanceId = "a1b2c3d4-0000-4000-8000-00000000abcd";
    private const string InstanceArn = $"arn:aws:connect:eu-west-2:123456789012:instance/{InstanceId}";
    private ConnectGateway OnMoto() => new(AwsTestKit.MotoClient(moto), Caller);

    private ConnectGateway OnStub() => new(AwsTestKit.StubClient(Stub), Caller);

    /// <summary>DescribePhoneNumber's answer as the Connect API reference shapes it.</summary>
    private static object DescribedNumber(string status, string? message) => new
    {
        ClaimedPhoneNumberSummary = new
        {
            PhoneNumberId = "pn-1", PhoneNumberArn = "arn:aws:connect:eu-west-2:123456789012:phone-number/pn-1", PhoneNumber = "+442071234567",
            PhoneNumberCountryCode = "GB", PhoneNumberType = "DID", PhoneNumberDescription = "", TargetArn = InstanceArn, InstanceId,
            Tags = new Dictionary<string, string>(),
            PhoneNumberStatus = message is null ? (object)new { Status = status } : new { Status = status, Message = message },
        },
    };

    [Fact]
    public async Task Instances_CreateDescribeList_OnMoto()
    {
        await moto.ResetAsync();
        var connect = OnMoto();

        var id = await connect.CreateInstanceAsync("acme-contact-center", CancellationToken.None);
        var described = await connect.DescribeInstanceAsync(id, CancellationToken.None);
        var listed = await connect.ListInstancesAsync(CancellationToken.None);

        described.ShouldNotBeNull();
        described.Id.ShouldBe(id);
        described.Alias.ShouldBe("acme-contact-center");
        described.Arn.ShouldBe($"arn:aws:connect:eu-west-2:{AwsTestKit.AccountId}:instance/{id}");
        described.UsesSaml.ShouldBeTrue();
        described.Status.ShouldBeOneOf(ConnectInstance.Active, ConnectInstance.CreationInProgress);
        listed.ShouldBe([described]);
    }

    [Fact]
    public async Task ListInstances_MoreThanOnePage_ReadsEveryPage()
    {
        await moto.ResetAsync();
        var connect = OnMoto();
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(await connect.CreateInstanceAsync($"acme-{i}", CancellationToken.None));
        }

        var listed = await connect.ListInstancesAsync(CancellationToken.None);

        listed.Select(i => i.Id).Order().ShouldBe(ids.Order());
        Caller.Operations.Count(o => ReferenceEquals(o, ConnectOperations.ListInstances)).ShouldBe(2, "ten a page");
    }

    [Fact]
    public async Task DescribeInstance_Unknown_IsNull() =>
        (await OnMoto().DescribeInstanceAsync("00000000-0000-4000-8000-000000000000", CancellationToken.None)).ShouldBeNull();

    [Fact]
    public async Task Users_ListedOverTwoPages_AndDescribedOneByOne()
    {
        Stub.OnRest("connect", "GET", "/users-summary/{instance}", call => StubReply.Json(call.Query.GetValueOrDefault("nextToken") switch
        {
            null => new { UserSummaryList = new[] { new { Id = "u1", Arn = "arn:u1", Username = "jane@acme.example" } }, NextToken = "page2" },
            _ => (object)new { UserSummaryList = new[] { new { Id = "u2", Arn = "arn:u2", Username = "li@acme.example" } } },
        }));
        Stub.OnRest("connect", "GET", "/users/{instance}/{user}", call => StubReply.Json(new
        {
            User = new
            {
                Id = call.RouteValues["user"],
                Username = call.RouteValues["user"] == "u1" ? "jane@acme.example" : "li@acme.example",
                IdentityInfo = new { FirstName = call.RouteValues["user"] == "u1" ? "Jane" : "Li", LastName = "Agent" },
                PhoneConfig = new { PhoneType = "SOFT_PHONE" },
                RoutingProfileId = "rp",
                SecurityProfileIds = new List<string> { "sp" },
            },
        }));

        var users = await OnStub().ListUsersAsync(InstanceId, CancellationToken.None);

        users.ShouldBe([new ConnectUserSummary("u1", "jane@acme.example"), new ConnectUserSummary("u2", "li@acme.example")]);
        Stub.Calls.ShouldNotContain(c => c.Path.StartsWith("/users/", StringComparison.Ordinal), "listing must not describe every user: Connect allows 2 calls a second");
        var described = (await OnStub().DescribeUserAsync(InstanceId, "u2", CancellationToken.None)).ShouldNotBeNull();
        described.ShouldBe(new ConnectUser("u2", "li@acme.example", "Li", "Agent") { RoutingProfileId = "rp", SecurityProfileIds = described.SecurityProfileIds });
        described.SecurityProfileIds.ShouldBe(["sp"]);
        Stub.Calls.Where(c => c.Path.StartsWith("/users-summary/", StringComparison.Ordinal)).ShouldAllBe(c => c.RouteValues["instance"] == InstanceId);
    }

    [Fact]
    public async Task RoutingAndSecurityProfiles_AreListedByIdAndName()
    {
        Stub.OnRest("connect", "GET", "/routing-profiles-summary/{instance}", _ => StubReply.Json(new
        {
            RoutingProfileSummaryList = new[] { new { Id = "rp-1", Arn = "arn:rp-1", Name = "Basic Routing Profile" } },
        }));
        Stub.OnRest("connect", "GET", "/security-profiles-summary/{instance}", _ => StubReply.Json(new
        {
            SecurityProfileSummaryList = new[] { new { Id = "sp-1", Arn = "arn:sp-1", Name = "Agent" }, new { Id = "sp-2", Arn = "arn:sp-2", Name = "Admin" } },
        }));

        (await OnStub().ListRoutingProfilesAsync(InstanceId, CancellationToken.None)).ShouldBe([new ConnectNamedItem("rp-1", "Basic Routing Profile")]);
        (await OnStub().ListSecurityProfilesAsync(InstanceId, CancellationToken.None))
            .ShouldBe([new ConnectNamedItem("sp-1", "Agent"), new ConnectNamedItem("sp-2", "Admin")]);
    }

    [Fact]
    public async Task CreateUser_SendsNoPasswordAndASoftPhone()
    {
        Stub.OnRest("connect", "PUT", "/users/{instance}", _ => StubReply.Json(new { UserId = "u-new", UserArn = "arn:u-new" }));

        var id = await OnStub().CreateUserAsync(InstanceId, "jane@acme.example", "Jane", "Agent", "rp-1", ["sp-1", "sp-2"], CancellationToken.None);

        id.ShouldBe("u-new");
        var body = Stub.Calls.Single().Body;
        body.TryGetProperty("Password", out _).ShouldBeFalse("a SAML instance takes no password");
        body.GetProperty("Username").GetString().ShouldBe("jane@acme.example");
        body.GetProperty("IdentityInfo").GetProperty("FirstName").GetString().ShouldBe("Jane");
        body.GetProperty("PhoneConfig").GetProperty("PhoneType").GetString().ShouldBe("SOFT_PHONE");
        body.GetProperty("RoutingProfileId").GetString().ShouldBe("rp-1");
        body.GetProperty("SecurityProfileIds").EnumerateArray().Select(e => e.GetString()).ShouldBe(["sp-1", "sp-2"]);
    }

    [Fact]
    public async Task UpdateUserIdentityInfo_ChangesTheNamesAndKeepsTheRest()
    {
        Stub.OnRest("connect", "GET", "/users/{instance}/{user}", _ => StubReply.Json(new
        {
            User = new { Id = "u1", Username = "jane@acme.example", IdentityInfo = new { FirstName = "Jan", LastName = "Agent", Email = "jane@acme.example" } },
        }));
        Stub.OnRest("connect", "POST", "/users/{instance}/{user}/identity-info", _ => StubReply.Empty());

        await OnStub().UpdateUserIdentityInfoAsync(InstanceId, "u1", "Jane", "Doe", CancellationToken.None);

        var info = Stub.Calls.Single(c => c.Method == "POST").Body.GetProperty("IdentityInfo");
        info.GetProperty("FirstName").GetString().ShouldBe("Jane");
        info.GetProperty("LastName").GetString().ShouldBe("Doe");
        info.GetProperty("Email").GetString().ShouldBe("jane@acme.example");
    }

    [Fact]
    public async Task PhoneNumbers_SearchClaimDescribeAndList()
    {
        Stub.OnRest("connect", "POST", "/phone-number/search-available", call => StubReply.Json(new
        {
            AvailableNumbersList = new[] { new { PhoneNumber = "+442071234567", PhoneNumberCountryCode = "GB", PhoneNumberType = "DID" } },
        }));
        Stub.OnRest("connect", "POST", "/phone-number/claim", _ => StubReply.Json(new { PhoneNumberId = "pn-1", PhoneNumberArn = "arn:pn-1" }));
        Stub.OnRest("connect", "GET", "/phone-number/{id}", call => call.RouteValues["id"] == "pn-1"
            ? StubReply.Json(DescribedNumber("IN_PROGRESS", null))
            : StubReply.RestError(404, "ResourceNotFoundException", "Phone number not found"));

        // ListPhoneNumbersSummary has no status: only DescribePhoneNumber says how a claim went.
        Stub.OnRest("connect", "POST", "/phone-number/list", _ => StubReply.Json(new
        {
            ListPhoneNumbersSummaryList = new[]
            {
                new
                {
                    PhoneNumberId = "pn-1", PhoneNumberArn = "arn:pn-1", PhoneNumber = "+442071234567", PhoneNumberCountryCode = "GB", PhoneNumberType = "DID",
                    TargetArn = InstanceArn, InstanceId,
                },
            },
        }));
        var connect = OnStub();

        var available = await connect.SearchAvailablePhoneNumbersAsync(InstanceArn, "GB", "DID", 3, CancellationToken.None);
        var claimed = await connect.ClaimPhoneNumberAsync(InstanceArn, available[0], "claim-token-1", CancellationToken.None);
        var described = await connect.DescribePhoneNumberAsync(claimed, CancellationToken.None);
        var listed = await connect.ListPhoneNumbersAsync(InstanceArn, CancellationToken.None);

        available.ShouldBe(["+442071234567"]);
        claimed.ShouldBe("pn-1");
        described.ShouldBe(new ConnectPhoneNumber("pn-1", "+442071234567", "GB", "DID", ConnectPhoneNumber.InProgress, null));
        listed.ShouldBe([new ConnectPhoneNumberSummary("pn-1", "+442071234567", "GB", "DID")]);
        (await connect.DescribePhoneNumberAsync("pn-missing", CancellationToken.None)).ShouldBeNull();
        var search = Stub.Calls.First().Body;
        search.GetProperty("TargetArn").GetString().ShouldBe(InstanceArn);
        search.GetProperty("PhoneNumberCountryCode").GetString().ShouldBe("GB");
        search.GetProperty("PhoneNumberType").GetString().ShouldBe("DID");
        search.GetProperty("MaxResults").GetInt32().ShouldBe(3);
        search.TryGetProperty("NextToken", out _).ShouldBeFalse("a first page sends no token");
        var claim = Stub.Calls.Single(c => c.Path == "/phone-number/claim").Body;
        claim.GetProperty("ClientToken").GetString().ShouldBe("claim-token-1");
        claim.GetProperty("PhoneNumber").GetString().ShouldBe("+442071234567");
        var describe = Stub.Calls.First(c => c.Method == "GET");
        (describe.Path, describe.RawBody).ShouldBe(("/phone-number/pn-1", ""), "DescribePhoneNumber is a GET with the ID in the path and no body");
    }

    [Fact]
    public async Task DescribePhoneNumber_AFailedClaim_CarriesAwsMessage()
    {
        Stub.OnRest("connect", "GET", "/phone-number/{id}", _ => StubReply.Json(DescribedNumber("FAILED", "The target has reached its limit of claimed phone numbers.")));

        var described = await OnStub().DescribePhoneNumberAsync("pn-1", CancellationToken.None);

        described.ShouldBe(new ConnectPhoneNumber("pn-1", "+442071234567", "GB", "DID", ConnectPhoneNumber.Failed, "The target has reached its limit of claimed phone numbers."));
    }

    [Fact]
    public async Task ApprovedOrigins_ListEveryPageAndAssociate()
    {
        Stub.OnRest("connect", "GET", "/instance/{instance}/approved-origins", call => StubReply.Json(call.Query.GetValueOrDefault("nextToken") switch
        {
            null => new { Origins = new List<string> { "https://agents.acme.example" }, NextToken = "t2" },
            _ => (object)new { Origins = new List<string> { "https://d111.cloudfront.net" } },
        }));
        Stub.OnRest("connect", "PUT", "/instance/{instance}/approved-origin", _ => StubReply.Empty());
        var connect = OnStub();

        var origins = await connect.ListApprovedOriginsAsync(InstanceId, CancellationToken.None);
        await connect.AssociateApprovedOriginAsync(InstanceId, "https://d222.cloudfront.net", CancellationToken.None);

        origins.ShouldBe(["https://agents.acme.example", "https://d111.cloudfront.net"]);
        Stub.Calls.Where(c => c.Method == "GET").Select(c => c.Query.GetValueOrDefault("nextToken")).ShouldBe([null, "t2"]);
        var associate = Stub.Calls.Single(c => c.Method == "PUT");
        associate.RouteValues["instance"].ShouldBe(InstanceId);
        associate.Body.GetProperty("Origin").GetString().ShouldBe("https://d222.cloudfront.net");
    }

    [Fact]
    public async Task Throttled_IsRetriedThenReportedAsThrottled()
    {
        Stub.OnRest("connect", "GET", "/instance/{instance}/approved-origins", _ => StubReply.RestError(429, "TooManyRequestsException", "Rate exceeded"));

        var ex = await Should.ThrowAsync<AwsCallException>(() => OnStub().ListApprovedOriginsAsync(InstanceId, CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.Throttled);
        ex.Failure.Action.ShouldBe("ListApprovedOrigins");
        Stub.Calls.Count.ShouldBe(AwsTestKit.FastRetry.MaxRetries + 1);
    }

    [Fact]
    public async Task UserQuota_IsReportedAsAQuotaAfterOneRequest()
    {
        // Connect's model gives LimitExceededException HTTP 429, the status of its throttling errors too.
        Stub.OnRest("connect", "PUT", "/users/{instance}", _ => StubReply.RestError(429, "LimitExceededException", "The allowed limit for the resource has been exceeded."));

        var ex = await Should.ThrowAsync<AwsCallException>(() =>
            OnStub().CreateUserAsync(InstanceId, "jane@acme.example", "Jane", "Agent", "rp-1", ["sp-1"], CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.QuotaExceeded);
        ex.Failure.Message.ShouldStartWith("AWS refused connect:CreateUser on user jane@acme.example: the account has reached one of its quotas.");
        ex.Failure.Message.ShouldContain("Service Quotas console (Amazon Connect, region eu-west-2)");
        ex.Failure.Message.ShouldNotContain("nothing needs doing");
        Stub.Calls.Count.ShouldBe(1, "a quota is not retried");
    }

    [Fact]
    public async Task AccessDenied_NamesTheActionAndIsNotRetried()
    {
        Stub.OnRest("connect", "PUT", "/instance/{instance}/approved-origin", _ =>
            StubReply.RestError(403, "AccessDeniedException", "User is not authorized to perform: connect:AssociateApprovedOrigin"));

        var ex = await Should.ThrowAsync<AwsCallException>(() => OnStub().AssociateApprovedOriginAsync(InstanceId, "https://d1.cloudfront.net", CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.AccessDenied);
        ex.Failure.Message.ShouldContain("connect:AssociateApprovedOrigin");
        Stub.Calls.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Tour_EveryConnectOperation_IsADeclaredOperation()
    {
        await TourAsync(typeof(ConnectOperations),
            Instances_CreateDescribeList_OnMoto, Users_ListedOverTwoPages_AndDescribedOneByOne, RoutingAndSecurityProfiles_AreListedByIdAndName,
            CreateUser_SendsNoPasswordAndASoftPhone, UpdateUserIdentityInfo_ChangesTheNamesAndKeepsTheRest, PhoneNumbers_SearchClaimDescribeAndList,
            ApprovedOrigins_ListEveryPageAndAssociate);
    }

    [Fact]
    public async Task ErrorBody_WithoutTheHeader_IsReadFromTheJson()
    {
        // Some REST-JSON errors carry the code only in the body.
        Stub.OnRest("connect", "GET", "/phone-number/{id}", _ => new StubReply(400, JsonSerializer.Serialize(new { __type = "InvalidParameterException", message = "bad id" })));

        var ex = await Should.ThrowAsync<AwsCallException>(() => OnStub().DescribePhoneNumberAsync("x", CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
        ex.Failure.Message.ShouldContain("bad id");
    }
}
