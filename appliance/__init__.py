"""Cirrus: an IaaS cloud management appliance speaking the CloudStack query API."""

__version__ = "0.1.0"
