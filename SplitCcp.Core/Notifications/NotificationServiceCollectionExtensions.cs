using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Notifications;

public static class NotificationServiceCollectionExtensions
{
    /// <summary>
    /// Notifications: options from <c>SplitCcp:Notifications</c>, the endpoints' secrets (and, at start, the encryption of
    /// any address stored in plain text), the webhook and e-mail channels, the dispatcher and the worker that sends the
    /// outbox, and the service the page and the API use.
    /// </summary>
    public static IServiceCollection AddSplitCcpNotifications(this IServiceCollection services)
    {
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) =>
                options.PortalUrl ??= PortalAddress.Resolve(null, configuration) is { } url ? new Uri(url, UriKind.RelativeOrAbsolute) : null)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EndpointSecrets>();
        services.AddScoped<IDatabaseSeed, EndpointUrlProtection>();
        services.AddSingleton<WebhookChannel>();
        services.AddSingleton<INotificationChannel>(sp => sp.GetRequiredService<WebhookChannel>());
        services.AddSingleton<INotificationChannel, EmailChannel>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<NotificationService>();
        services.AddHostedService<NotificationWorker>();
        return services;
    }
}
