"""Declarative datacenters: a YAML spec (spec.py) applied through the API (apply.py).

`cirrus demo` builds specs/simulator.yaml on a fresh appliance; `cirrus apply` applies any
spec to any running Cirrus.
"""
