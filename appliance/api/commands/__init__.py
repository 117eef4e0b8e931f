"""Command declarations, one module per area; every module here is imported by the registry."""

import pkgutil

MODULES = tuple(
    f"{__name__}.{info.name}" for info in sorted(pkgutil.iter_modules(__path__),
                                                  key=lambda info: info.name)
    if not info.name.startswith("_")
)
