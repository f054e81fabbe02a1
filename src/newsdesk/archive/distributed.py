"""Extraction on Ray: the units of a plan (archive/shards.py) as a Ray Data pipeline, one task per shard.

Ray Data schedules the units over the cores of this machine (a local Ray started here) or of a cluster
(`address`), retries a task whose worker died, and streams each finished shard's statistics back. The
shards go to a folder every worker can write and the merging process can read (a shared file system on a
cluster). Merging stays here, in one process: folding needs the whole archive.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from newsdesk.archive.shards import ShardStats, Unit, estimated_work, warm_up, write_shard
from newsdesk.archive.store import ArchiveError
from newsdesk.extract import ExtractOptions


class EngineError(ArchiveError):
    """Ray could not be started or reached, or a shard task failed for good; the message says why."""


def _write_row(row: dict[str, Any], directory: str, options: ExtractOptions) -> dict[str, Any]:
    # Runs in a Ray worker: one unit in, its shard's statistics out.
    unit = Unit(int(row["ordinal"]), tuple(row["files"]), str(row["name"]))
    return write_shard(unit, directory, options).to_record()


def _warm_row(row: dict[str, Any], options: ExtractOptions) -> dict[str, Any]:
    # Runs in a Ray worker: extraction loaded, and which process did it.
    import socket

    return {"worker": f"{socket.gethostname()}:{os.getpid()}", "seconds": warm_up(options)}


def warm_workers(workers: int, options: ExtractOptions) -> list[dict[str, Any]]:
    """Start what a first pipeline starts once, in a Ray already connected: Ray Data's own actors and `workers`
    worker processes with extraction loaded in them (shards.warm_up). bench/scale.py counts this with Ray's
    start-up, so that the extraction it times is the work on the captures. Returns each task's worker and the
    processor seconds its loading took (0.0 where the worker had it already)."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    dataset = ray.data.from_items([{"task": i} for i in range(workers)], override_num_blocks=workers).map(
        _warm_row, fn_kwargs={"options": options}, num_cpus=1, compute=ray.data.TaskPoolStrategy(size=workers),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return list(dataset.iter_rows())


def connect(address: str | None, workers: int | None) -> bool:
    """Start a local Ray (with `workers` CPUs) or join the cluster at `address`; True when this call did it."""
    import ray

    if ray.is_initialized():
        return False
    try:
        ray.init(
            address=address, num_cpus=None if address else (workers or os.cpu_count() or 1),
            include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False,
        )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        raise EngineError(f"could not start or reach {where}: {exc}") from exc
    return True


def _collect(dataset: Any, done: dict[str, ShardStats], on_shard: Callable[[ShardStats], None] | None) -> None:
    """Run the pipeline, taking each shard's statistics as its task finishes."""
    for record in dataset.iter_rows():
        stats = ShardStats(**record)
        done[stats.name] = stats
        if on_shard:
            on_shard(stats)


def extract_to_shards(
    units: Sequence[Unit], directory: str | Path, options: ExtractOptions, address: str | None = None,
    workers: int | None = None, on_shard: Callable[[ShardStats], None] | None = None,
) -> list[ShardStats]:
    """Write every unit's shard into `directory` with Ray Data; units whose shard is already complete are
    skipped without a task. Returns the statistics of every unit, in plan order."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise EngineError(f"--engine ray needs Ray: pip install 'newsdesk[ray]' ({exc})") from exc

    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    done = {unit.name: ShardStats(unit.name, skipped=True) for unit in units if (directory / unit.name).exists()}
    todo = [unit for unit in units if unit.name not in done]
    for stats in done.values():
        if on_shard:
            on_shard(stats)
    if todo:
        started_here = connect(address, workers)
        try:
            context = ray.data.DataContext.get_current()
            context.enable_progress_bars = False
            # Ray Data reports each execution at INFO; the command reports shards itself.
            logging.getLogger("ray.data").setLevel(logging.ERROR)
            # Largest first: a free worker takes the next shard, so the run ends on small ones and no worker
            # is left with a long tail. The shards' names keep the plan's order, which is the merge's.
            ordered = sorted(todo, key=estimated_work, reverse=True)
            items = [{"ordinal": u.ordinal, "files": list(u.files), "name": u.name} for u in ordered]
            # One block per unit: each shard is one task, placed on whichever worker is free. A worker process
            # runs many tasks and loads extraction's dictionaries once (shards.warm_up).
            dataset = ray.data.from_items(items, override_num_blocks=len(items)).map(
                _write_row, fn_kwargs={"directory": str(directory), "options": options},
                num_cpus=1, compute=ray.data.TaskPoolStrategy(size=workers) if workers else None,
            )
            with warnings.catch_warnings():
                # Ray Data warns when there are fewer units than workers: nothing to act on here.
                warnings.simplefilter("ignore", UserWarning)
                _collect(dataset, done, on_shard)
        except ray.exceptions.RayError as exc:
            raise EngineError(f"a shard could not be written: {exc}") from exc
        finally:
            if started_here:
                ray.shutdown()
    return [done[unit.name] for unit in units]
