"""The audit log's checkpoints as rows of the installation's database (append-only).

Each row is one tree head (size, root, time) and the leaf hashes it adds to the one before
it, so the rows in order are what ``<data>/audit/checkpoints.jsonl`` and ``leaves.log`` held
(``models.checkpoints.DatabaseAuditStore`` reads and appends them). Two constraints make the
rows one chain whoever writes them: ``tree_size`` is unique (a head is recorded once) and
``previous_size`` is unique (a head has at most one successor), so of two writers racing from
the same head exactly one commits. Migration 0010's triggers refuse UPDATE and DELETE.
"""

from __future__ import annotations

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel


class AuditCheckpoint(SQLModel, table=True):
    __tablename__ = "audit_checkpoint"
    id: int | None = Field(default=None, primary_key=True)
    tree_size: int = Field(unique=True)
    previous_size: int = Field(unique=True)
    root: str = Field(max_length=64)
    made_at: str = Field(max_length=40)  # ISO 8601, as the checkpoint files write it
    # The hex leaf hashes of events previous_size+1..tree_size, one per line.
    leaves: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
