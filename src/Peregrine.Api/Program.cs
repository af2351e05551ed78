using Peregrine;
using Peregrine.Api;
using Peregrine.Api.Erasure;
using Peregrine.Configuration;

if (EraseUserCommand.IsInvoked(args))
{
    return await EraseUserCommand.RunAsync(args);
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

app.Run();
return 0;
