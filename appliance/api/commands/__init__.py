"""Command declarations, one module per area; MODULES lists what the registry imports."""

MODULES = (
    "appliance.api.commands.domains",
    "appliance.api.commands.accounts",
    "appliance.api.commands.users",
    "appliance.api.commands.sessions",
    "appliance.api.commands.limits",
    "appliance.api.commands.events",
    "appliance.api.commands.configuration",
    "appliance.api.commands.jobs",
    "appliance.api.commands.meta",
)
