"""Training and evaluation data for the five domains: one record format, converters, an offline mix.

Imports nothing heavy (no torch): data preparation runs on the core install.
"""

from trainer_client.data.records import DOMAINS, Record, RecordError, make_record, read_records, write_records

__all__ = ["DOMAINS", "Record", "RecordError", "make_record", "read_records", "write_records"]
