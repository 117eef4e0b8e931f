"""Time zones the API accepts (seed Appendix A)."""

from __future__ import annotations

from appliance.errors import ParamError

APPENDIX_A = (
    "Etc/GMT+12", "Etc/GMT+11", "Pacific/Samoa", "Pacific/Honolulu", "US/Alaska",
    "America/Los_Angeles", "Mexico/BajaNorte", "US/Arizona", "US/Mountain",
    "America/Chihuahua", "America/Chicago", "America/Costa_Rica", "America/Mexico_City",
    "Canada/Saskatchewan", "America/Bogota", "America/New_York", "America/Caracas",
    "America/Asuncion", "America/Cuiaba", "America/Halifax", "America/La_Paz",
    "America/Santiago", "America/St_Johns", "America/Araguaina",
    "America/Argentina/Buenos_Aires", "America/Cayenne", "America/Godthab",
    "America/Montevideo", "Etc/GMT+2", "Atlantic/Azores", "Atlantic/Cape_Verde",
    "Africa/Casablanca", "Etc/UTC", "Atlantic/Reykjavik", "Europe/London", "CET",
    "Europe/Bucharest", "Africa/Johannesburg", "Asia/Beirut", "Africa/Cairo",
    "Asia/Jerusalem", "Europe/Minsk", "Europe/Moscow", "Africa/Nairobi", "Asia/Karachi",
    "Asia/Kolkata", "Asia/Bangkok", "Asia/Shanghai", "Asia/Kuala_Lumpur", "Australia/Perth",
    "Asia/Taipei", "Asia/Tokyo", "Asia/Seoul", "Australia/Adelaide", "Australia/Darwin",
    "Australia/Brisbane", "Australia/Canberra", "Pacific/Guam", "Pacific/Auckland",
)
_BY_LOWER = {name.lower(): name for name in APPENDIX_A}


def validate_timezone(value: str, *, param: str = "timezone") -> str:
    """Return the canonical spelling of an Appendix A zone, or raise 431 naming the value."""
    canonical = _BY_LOWER.get(value.strip().lower())
    if canonical is None:
        raise ParamError(
            f"Invalid value {value!r} for parameter {param}: not a supported time zone "
            "(see Appendix A, e.g. America/New_York, Etc/UTC)"
        )
    return canonical
