using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Bulk;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Mail;
using SplitCcp.Core.Notifications;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Core.Security.KeyRing;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>Everything that is not UI or HTTP: the database, Identity's user store, tenant access, tenants, users and tokens (sign-in is the web app's).</summary>
    public static IHostApplicationBuilder AddSplitCcpCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddTimeProvider();
        services.AddMetrics();

        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ApiTokenOptions>().BindConfiguration(ApiTokenOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.AddStorage(builder.Environment.ContentRootPath);
        services.AddHostedService<DatabaseInitializer>();
        services.AddStorageHealth();

        services.AddDataProtection().SetApplicationName("SplitCcp").PersistKeysToDbContext<SplitCcpDbContext>().AddKeyRingProtection(builder.Configuration);

        services.AddIdentityCore<AppUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Tokens.AuthenticatorTokenProvider = OneTimeAuthenticatorTokenProvider.ProviderName;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<SplitCcpDbContext>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<InvitationTokenProvider>(InvitationTokenProvider.ProviderName)
            .AddTokenProvider<OneTimeAuthenticatorTokenProvider>(OneTimeAuthenticatorTokenProvider.ProviderName);
        services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.SectionName).ValidateDataAnnotations()
            .Validate<IOptions<OidcOptions>>((accounts, oidc) => accounts.LocalSignIn || oidc.Value.IsConfigured,
                $"{AccountOptions.SectionName}:LocalSignIn is false but no company sign-in is configured ({OidcOptions.SectionName}:Authority): nobody could sign in.")
            .ValidateOnStart();
        services.AddOptions<OidcOptions>().BindConfiguration(OidcOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DataProtectionTokenProviderOptions>().Configure<IOptions<AccountOptions>>((tokens, accounts) => tokens.TokenLifespan = accounts.Value.PasswordResetLifetime);
        services.AddOptions<InvitationTokenProviderOptions>().Configure<IOptions<AccountOptions>>((tokens, accounts) => tokens.TokenLifespan = accounts.Value.InvitationLifetime);
        services.AddSingleton<AccountLinks>();

        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.SectionName)
            .PostConfigure<IConfiguration>((mail, configuration) => mail.PortalUrl = PortalAddress.Resolve(mail.PortalUrl, configuration))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IMailSender, SmtpMailSender>();

        services.AddSingleton<ITenantAccess, TenantAccess>();
        services.AddSingleton<IExistingTenants, ExistingTenants>();
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<TenantService>();
        services.AddSingleton<TenantSpecService>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<IdentityAudit>();
        services.AddSingleton<ConnectInstances>();
        services.AddSingleton<IdentityCenterInstances>();
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<ApiTokenUseStamps>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiTokenUseStamps>());
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<CompanySignIn>();
        services.AddScoped<Bootstrapper>();
        services.AddScoped<IDatabaseSeed>(sp => sp.GetRequiredService<Bootstrapper>());
        services.AddCcpPages();
        services.AddAwsAccess();
        services.AddReconciliation();
        services.AddSplitCcpNotifications();
        return builder;
    }

    /// <summary>
    /// The database on the configured engine: a pooled context factory per engine, of which only the configured one is ever
    /// used, behind the <c>IDbContextFactory&lt;SplitCcpDbContext&gt;</c> that everything else asks for.
    /// </summary>
    private static void AddStorage(this IServiceCollection services, string contentRoot)
    {
        // Pooled: every operation takes a short-lived context, and a new one sets up EF's services again each time (tens of
        // kilobytes and a few hundred microseconds before its first query), which dominated a drift pass over many tenants.
        static StorageOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<StorageOptions>>().Value;
        string ConnectionString(IServiceProvider sp) => Options(sp).ResolveConnectionString(contentRoot);
        services.AddPooledDbContextFactory<SqliteSplitCcpDbContext>((sp, options) => options
            .UseSqlite(ConnectionString(sp))
            .AddInterceptors(sp.GetRequiredService<StorageErrorInterceptor>()));
        services.AddPooledDbContextFactory<PostgreSqlSplitCcpDbContext>((sp, options) => options
            .UseNpgsql(ConnectionString(sp))
            .AddInterceptors(sp.GetRequiredService<StorageErrorInterceptor>()));
        services.AddSingleton<IDbContextFactory<SplitCcpDbContext>>(sp => Options(sp).Engine switch
        {
            StorageProvider.PostgreSql => new SplitCcpDbContextFactory<PostgreSqlSplitCcpDbContext>(sp.GetRequiredService<IDbContextFactory<PostgreSqlSplitCcpDbContext>>()),
            _ => new SplitCcpDbContextFactory<SqliteSplitCcpDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteSplitCcpDbContext>>()),
        });
        services.TryAddScoped(sp => sp.GetRequiredService<IDbContextFactory<SplitCcpDbContext>>().CreateDbContext());
        services.AddSingleton<DatabaseIntegrity>();

        // First of the hosted services: nothing migrates, bootstraps or resumes an apply before this portal owns the folder.
        services.AddSingleton(sp => new DataFolderLock(Options(sp).Engine == StorageProvider.Sqlite ? ConnectionString(sp) : null));
        services.AddHostedService(sp => sp.GetRequiredService<DataFolderLock>());
    }

    /// <summary>Whether the database can be written: noticed on every command, probed for readiness, re-probed until it recovers.</summary>
    private static void AddStorageHealth(this IServiceCollection services)
    {
        services.AddSingleton<StorageHealth>();
        services.AddSingleton<StorageErrorInterceptor>();
        services.AddSingleton<StorageProbe>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageProbe>());
    }

    private static void AddAwsAccess(this IServiceCollection services)
    {
        services.AddOptions<AwsRetryOptions>().BindConfiguration(AwsRetryOptions.SectionName).ValidateDataAnnotations();
        services.AddOptions<AwsRateLimitOptions>().BindConfiguration(AwsRateLimitOptions.SectionName);
        services.AddSingleton(sp => new AwsRateLimiter(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<AwsRateLimitOptions>>().Value.LimitFor));
        services.AddSingleton(sp => new AwsRetry(sp.GetRequiredService<IOptions<AwsRetryOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AccountCredentials(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<TenantService>().GetSecretAccessKeyAsync));
        services.AddSingleton<AwsCallMetrics>();
        services.AddSingleton<RealAwsAccounts>();
        services.AddSingleton<IAwsAccountProvider>(sp => sp.GetRequiredService<RealAwsAccounts>());
        services.AddSingleton<AwsAccounts>();
        services.AddSingleton<IAwsAccountFactory>(sp => sp.GetRequiredService<AwsAccounts>());
        services.AddSingleton<IKnownAccountIds>(sp => sp.GetRequiredService<AwsAccounts>());
        services.AddSplitCcpSandbox();
        services.AddSplitCcpAwsOnboarding();
    }

    private static void AddReconciliation(this IServiceCollection services)
    {
        services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.SectionName).ValidateDataAnnotations();
        services.AddSingleton<Reconciler>();
        services.AddSingleton<RecentPlans>();
        services.AddSingleton<ApplyNotifier>();
        services.AddSingleton<DriftNotifier>();

        // Before the services whose events it passes on to the other replicas, so it hears them from their start.
        services.AddSingleton<ReplicaNotifications>();
        services.AddHostedService(sp => sp.GetRequiredService<ReplicaNotifications>());
        services.AddSingleton<ApplyMetrics>();
        services.AddSingleton<ApplyEngine>();
        services.AddSingleton<ApplySlots>();
        services.AddSingleton<ApplyClaims>();
        services.AddSingleton<ApplyRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ApplyRunner>());
        services.AddSingleton<ReconciliationService>();
        services.AddSingleton<SandboxChanges>();
        services.AddSingleton<DemoTenants>();

        services.AddOptions<DriftOptions>().BindConfiguration(DriftOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DriftMetrics>();
        services.AddSingleton<DriftGauges>();
        services.AddSingleton<SyntheticChecks>();
        services.AddSingleton<DriftChecker>();
        services.AddSingleton<DriftClaims>();
        services.AddSingleton<DriftWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<DriftWorker>());
        services.AddSingleton<DriftService>();
        services.AddSingleton<GoLive.GoLiveLedger>();
        services.AddSingleton<IDriftCheckFollower>(sp => sp.GetRequiredService<GoLive.GoLiveLedger>());
        services.AddSingleton<GoLive.GoLiveService>();

        services.AddOptions<BulkOptions>().BindConfiguration(BulkOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BulkClaims>();
        services.AddSingleton<BulkTenantActions>();
        services.AddSingleton<BulkRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<BulkRunner>());
        services.AddSingleton<BulkOperationService>();

        // Registered last, so stopped first: the resets still queued are sent while the database is there.
        services.AddSingleton<PasswordResetMailer>();
        services.AddHostedService(sp => sp.GetRequiredService<PasswordResetMailer>());
    }

    private static void AddCcpPages(this IServiceCollection services)
    {
        services.AddSingleton<CcpPageGenerator>();
        services.AddSingleton<TenantArtifacts>();

        // Read on first use, not at start-up: the library is about 730 KB.
        services.AddSingleton(_ => ConnectStreamsAsset.Instance);
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
