"""Where a multi-process run's CPU time goes, read from ``/proc`` (Linux): each process tree's
user and system time, and PostgreSQL's (its live backends and those that have exited, which
the postmaster has counted). Take a ``snapshot`` before and after; the differences say which
process the work cost."""

from __future__ import annotations

import os
from dataclasses import dataclass

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcessTimes:
    name: str
    parent: int
    own: int  # user + system ticks
    children: int  # ticks of its children that have exited and been waited for


def _times(pid: int) -> ProcessTimes | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            data = stat.read()
    except OSError:
        return None  # gone meanwhile
    name = data[data.index("(") + 1 : data.rindex(")")]
    fields = data[data.rindex(")") + 2 :].split()
    user, system, children_user, children_system = (int(f) for f in fields[11:15])
    return ProcessTimes(name, int(fields[1]), user + system, children_user + children_system)


def snapshot() -> dict[int, ProcessTimes]:
    """Every process's CPU ticks now."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (times := _times(int(entry))) is not None:
            found[int(entry)] = times
    return found


def tree_seconds(processes: dict[int, ProcessTimes], root: int) -> float:
    """CPU seconds of ``root`` and every process below it (exited ones included)."""
    below: dict[int, list[int]] = {}
    for pid, times in processes.items():
        below.setdefault(times.parent, []).append(pid)
    ticks, waiting = 0, [root]
    while waiting:
        pid = waiting.pop()
        if (times := processes.get(pid)) is not None:
            ticks += times.own + times.children
        waiting.extend(below.get(pid, []))
    return ticks / TICKS


def own_seconds(processes: dict[int, ProcessTimes], pid: int) -> float:
    times = processes.get(pid)
    return 0.0 if times is None else times.own / TICKS


def children_of(processes: dict[int, ProcessTimes], pid: int) -> list[int]:
    return [child for child, times in processes.items() if times.parent == pid]


def postgres_seconds(processes: dict[int, ProcessTimes]) -> float:
    """PostgreSQL's CPU seconds on this machine: every postgres process, and the backends that
    have exited (counted in the postmaster's children). Every client's share, not one's."""
    ticks = 0
    for times in processes.values():
        if times.name.startswith("postgres"):
            ticks += times.own
            parent = processes.get(times.parent)
            if parent is None or not parent.name.startswith("postgres"):
                ticks += times.children  # the postmaster
    return ticks / TICKS
