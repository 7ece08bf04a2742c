"""Writes of the analytics app: report ingestion (and, beside it, alerts)."""

from .ingest import IngestResult, performance_ingest, performance_pull_start

__all__ = ["IngestResult", "performance_ingest", "performance_pull_start"]
