"""The CloudStack-compatible query API served at /client/api."""
