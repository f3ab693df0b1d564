"""Ingestion for the mailmart pipeline: sample-data generator and dlt loaders."""
