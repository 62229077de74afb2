"""Technology-transfer flows between cities: tables, networks, integration, green IPC.

- :mod:`~spatialgreen.flows.transfer` — :func:`transfer_flows` and its results;
- ``_records`` (records checked, green flags, periods), ``_regional`` (scopes,
  groups, partners and integration indices), ``_network`` (per-period network
  measures) and ``_ipc`` (green-patent flags from IPC symbols) serve it.
"""

from .transfer import FlowResults, transfer_flows

__all__ = ["FlowResults", "transfer_flows"]
