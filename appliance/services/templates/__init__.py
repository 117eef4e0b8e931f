"""Templates and ISOs (seed §7.6–7.8): registry (register/update/delete/copy/extract and the
deploy check), download (HTTP fetch into secondary storage), jobs (transfers with progress)
and visibility (listTemplates' filters)."""

from appliance.services.templates.registry import (
    get,
    image_store,
    install_path,
    readable_path,
    require_sources,
    usable_for_deploy,
)

__all__ = ["get", "image_store", "install_path", "readable_path", "require_sources",
           "usable_for_deploy"]
