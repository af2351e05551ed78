using Peregrine;
using Peregrine.Api;
using Peregrine.Api.Operations;
using Peregrine.Configuration;
using Peregrine.Web;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync();
}

if (OperatorCommands.IsInvoked(args))
{
    return await OperatorCommands.RunAsync(args);
}

var builder = PeregrineHost.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

if (!app.PassesStartupChecks())
{
    return 1;
}

app.MapDefaultEndpoints();
app.MapPeregrineGroup().MapApplicationEndpoints();
app.MapPeregrineWeb();

app.Run();
return 0;
