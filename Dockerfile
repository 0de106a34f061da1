# ISRM web app. Ubuntu 24.04 ("noble") images ship a libstdc++ with GLIBCXX_3.4.32, so the build's
# libLibTorchSharp.so patch (needed on Debian 12 only) switches itself off here (IsrmPatchLibTorchSharp=auto).
#   docker build -t isrm .
#   docker run --rm -p 8080:8080 isrm          # then open http://localhost:8080
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props Isrm.sln ./
COPY build/ build/
COPY Isrm.Model/Isrm.Model.csproj Isrm.Model/
COPY Isrm.Web/Isrm.Web.csproj Isrm.Web/
RUN dotnet restore Isrm.Web/Isrm.Web.csproj -r linux-x64
COPY Isrm.Model/ Isrm.Model/
COPY Isrm.Web/ Isrm.Web/
RUN dotnet publish Isrm.Web/Isrm.Web.csproj -c Release -r linux-x64 --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY checkpoints/ /app/checkpoints/
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    Isrm__CheckpointsPath=/app/checkpoints
EXPOSE 8080
# The aspnet images define a non-root "app" user (UID in $APP_UID).
USER $APP_UID
ENTRYPOINT ["dotnet", "Isrm.Web.dll"]
