# syntax=docker/dockerfile:1

# Build: restore with the project files only, so the package layer is cached across source changes.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# npm restores the pinned amazon-connect-streams release that the build embeds.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig SplitCcp.sln ./
COPY SplitCcp.Core/SplitCcp.Core.csproj SplitCcp.Core/
COPY SplitCcp.Web/SplitCcp.Web.csproj SplitCcp.Web/
RUN dotnet restore SplitCcp.Web/SplitCcp.Web.csproj
COPY SplitCcp.Core/Ccp/Assets/package.json SplitCcp.Core/Ccp/Assets/package-lock.json SplitCcp.Core/Ccp/Assets/
RUN cd SplitCcp.Core/Ccp/Assets && npm ci --no-audit --no-fund --ignore-scripts && touch node_modules/.splitccp-npm-ci.stamp
COPY SplitCcp.Core/ SplitCcp.Core/
COPY SplitCcp.Web/ SplitCcp.Web/
RUN dotnet publish SplitCcp.Web/SplitCcp.Web.csproj -c Release -o /app --no-restore -nologo

# Run: the ASP.NET runtime only, as the image's unprivileged 'app' user.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data /keys \
    && chown app:app /data /keys \
    && chmod 700 /data /keys
WORKDIR /app
COPY --from=build /app .
# The key file that encrypts the Data Protection key ring lives in a volume of its own, apart from the database, and is
# made on first start; back the two up to different places (see the README's Containers section).
ENV ASPNETCORE_HTTP_PORTS=8080 \
    SplitCcp__Storage__DataDirectory=/data \
    SplitCcp__DataProtection__KeyFile=/keys/dataprotection.key \
    SplitCcp__DataProtection__GenerateKeyFile=true
USER app
VOLUME ["/data", "/keys"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl --fail --silent http://localhost:8080/healthz || exit 1
ENTRYPOINT ["dotnet", "SplitCcp.Web.dll"]
